import type { BatchReport, FileOutcome } from '../../shared/outcome';
import type { SignerClient } from '../signer/signer-client';

/** The most keys one links request may carry (the signer's limit). */
const KEYS_PER_REQUEST = 1000;

/**
 * The report with a view link on every file that is in the bucket (uploaded, or already there from an
 * earlier push), asked of the signer; a file the signer gives no link for keeps none. Its files are held
 * in memory, with their links. `expiresAt` is when the links expire (the earliest), if any came.
 */
export async function withViewLinks(
  report: BatchReport,
  signer: SignerClient,
): Promise<{ report: BatchReport; expiresAt: string | undefined }> {
  const files: FileOutcome[] = [...report.files];
  const inBucket = files.filter((f) => (f.status === 'uploaded' || f.code === 'already-there') && f.key);
  let expiresAt: string | undefined;
  for (let i = 0; i < inBucket.length; i += KEYS_PER_REQUEST) {
    const chunk = inBucket.slice(i, i + KEYS_PER_REQUEST);
    const links = await signer.links(chunk.map((f) => f.key!));
    links.forEach((link, j) => {
      if (link.status !== 'ok') return;
      chunk[j]!.viewUrl = link.url;
      if (!expiresAt || link.expiresAt < expiresAt) expiresAt = link.expiresAt;
    });
  }
  return { report: { ...report, files }, expiresAt };
}
