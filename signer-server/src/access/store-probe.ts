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

/**
 * Sends one presigned PUT to a probe key with one unsigned `x-amz-meta-*` header and reads the answer;
 * an object the store accepted is deleted with `remove`.
 */
export async function probeUnsignedHeaders(
  urls: BucketUrls,
  credentials: SigningCredentials,
  remove: (key: string) => Promise<void>,
): Promise<UnsignedHeaderVerdict> {
  const key = `${PROBE_FOLDER}/${randomUUID()}`;
  const md5 = createHash('md5').update(BODY).digest('base64');
  const signed = urls.put(credentials, key, {
    contentType: 'text/plain',
    size: BODY.length,
    md5,
    createOnly: true,
    ttlSeconds: 60,
  });
  let status: number;
  let text: string;
  try {
    const response = await fetch(signed.url, {
      method: 'PUT',
      headers: { ...signed.headers, 'x-amz-meta-hoist-probe': 'unsigned' },
      body: BODY,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { verdict: 'unknown', detail: `the probe PUT failed: ${(error as Error).message}` };
  }
  if (status >= 200 && status < 300) {
    await remove(key).catch(() => undefined);
    return { verdict: 'accepted' };
  }
  if (status === 403 && NOTICED.test(text)) return { verdict: 'refused' };
  const code = /<Code>([^<]{1,64})<\/Code>/u.exec(text)?.[1];
  return { verdict: 'unknown', detail: `the probe PUT got ${status}${code ? ` ${code}` : ''}` };
}
