import { createHash, randomUUID } from 'node:crypto';
import type { BucketUrls } from '../bucket-urls';
import type { SigningCredentials } from '../sigv4';

/**
 * What a store does with an `x-amz-*` header that a presigned URL did not sign: refuses it (as SigV4
 * requires), accepts it (CVE-2026-54330: Ceph RGW before Squid 19.2.6 and Tentacle 20.2.4, which lets a
 * URL's holder add `x-amz-copy-source` and copy any object the signing credentials can read), or the
 * probe could not tell (`detail` says why).
 */
export type UnsignedHeaderVerdict =
  { verdict: 'refused' } | { verdict: 'accepted' } | { verdict: 'unknown'; detail: string };

/** The key the probe writes: outside every user's prefix, since no prefix may start with `.`. */
export const PROBE_FOLDER = '.hoist-probe';
const PROBE_TIMEOUT_MS = 10_000;
const BODY = Buffer.from('hoist store probe\n');

/** SigV4 refusals that mean the unsigned header was noticed (AWS: "There were headers present … not signed"). */
const NOTICED = /SignatureDoesNotMatch|not signed|HeadersNotSigned/iu;

/** One presigned PUT of the probe body to a fresh probe key, with `extra` headers beside the signed ones. */
async function probePut(
  urls: BucketUrls,
  credentials: SigningCredentials,
  extra: Record<string, string>,
): Promise<{ key: string; status: number; text: string }> {
  const key = `${PROBE_FOLDER}/${randomUUID()}`;
  const md5 = createHash('md5').update(BODY).digest('base64');
  const signed = urls.put(credentials, key, {
    contentType: 'text/plain',
    size: BODY.length,
    md5,
    createOnly: true,
    ttlSeconds: 60,
  });
  const response = await fetch(signed.url, {
    method: 'PUT',
    headers: { ...signed.headers, ...extra },
    body: BODY,
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  return { key, status: response.status, text: await response.text() };
}

const accepted = (status: number): boolean => status >= 200 && status < 300;

/**
 * Sends one presigned PUT to a probe key with one unsigned `x-amz-meta-*` header and reads the answer;
 * a bare 403 is told apart from missing rights by the same PUT without the header. Every object the
 * store accepted is deleted with `remove`.
 */
export async function probeUnsignedHeaders(
  urls: BucketUrls,
  credentials: SigningCredentials,
  remove: (key: string) => Promise<void>,
): Promise<UnsignedHeaderVerdict> {
  try {
    const probe = await probePut(urls, credentials, { 'x-amz-meta-hoist-probe': 'unsigned' });
    if (accepted(probe.status)) {
      await remove(probe.key).catch(() => undefined);
      return { verdict: 'accepted' };
    }
    if (probe.status === 403 && NOTICED.test(probe.text)) return { verdict: 'refused' };
    const control = await probePut(urls, credentials, {});
    if (accepted(control.status)) {
      await remove(control.key).catch(() => undefined);
      if (probe.status === 403) return { verdict: 'refused' };
    }
    const code = /<Code>([^<]{1,64})<\/Code>/u.exec(probe.text)?.[1];
    return { verdict: 'unknown', detail: `the probe PUT got ${probe.status}${code ? ` ${code}` : ''}` };
  } catch (error) {
    return { verdict: 'unknown', detail: `the probe PUT failed: ${(error as Error).message}` };
  }
}
