import type { BatchReport } from '../../shared/outcome';
import type { SignerClient } from '../signer/signer-client';

/** The most keys one links request may carry (the signer's limit). */
const KEYS_PER_REQUEST = 1000;

/**
 * Asks the signer for a view link to every file of `report` that is in the bucket (uploaded, or already
 * there from an earlier push) and sets its `viewUrl`; a file the signer gives no link for keeps none.
 * Resolves to when the links expire (the earliest), if any came.
 */
export async function addViewLinks(report: BatchReport, signer: SignerClient): Promise<string | undefined> {
  const uploaded = report.files.filter((f) => (f.status === 'uploaded' || f.code === 'already-there') && f.key);
  let expiresAt: string | undefined;
  for (let i = 0; i < uploaded.length; i += KEYS_PER_REQUEST) {
    const chunk = uploaded.slice(i, i + KEYS_PER_REQUEST);
    const links = await signer.links(chunk.map((f) => f.key!));
    links.forEach((link, j) => {
      if (link.status !== 'ok') return;
      chunk[j]!.viewUrl = link.url;
      if (!expiresAt || link.expiresAt < expiresAt) expiresAt = link.expiresAt;
    });
  }
  return expiresAt;
}
