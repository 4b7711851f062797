import { isLoopbackHost } from '@hoist/protocol';
import { errors } from '../errors';

/** Where plain-http uploads may go: anywhere (--allow-http), only to this machine (a signer on it), or nowhere. */
export type HttpUploads = 'any' | 'loopback' | 'none';

/** The only headers a signed request may make the engine send: what S3 signs and reads, nothing else. */
const SENDABLE_HEADER = /^(content-[a-z0-9-]+|if-none-match|x-amz-[a-z0-9-]+)$/u;

/** A URL as it may be shown: scheme, host and path; never the query, which holds the signature. */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function parse(url: string, what: string): URL {
  try {
    return new URL(url);
  } catch {
    throw errors.signerProtocol(`The signer gave ${what} a URL that does not parse`);
  }
}

/**
 * Throws a `signer-protocol` error, naming the bad value, unless a signed upload is one the engine may
 * send: an `https:` URL (`http:` only as `httpUploads` allows) and only `content-*`, `if-none-match` and
 * `x-amz-*` headers. A misbehaving signer must not make Hoist PUT a person's files anywhere else.
 */
export function checkUpload(
  signed: { url: string; headers: Record<string, string> },
  what: string,
  httpUploads: HttpUploads,
) {
  const url = parse(signed.url, what);
  const http =
    url.protocol === 'http:' && (httpUploads === 'any' || (httpUploads === 'loopback' && isLoopbackHost(url.hostname)));
  if (url.protocol !== 'https:' && !http) {
    throw errors.signerProtocol(
      `The signer gave ${what} the upload URL \`${shown(url)}\`; Hoist sends files only over https ` +
        '(http only to a signer on this machine, or with --allow-http)',
    );
  }
  for (const name of Object.keys(signed.headers)) {
    if (!SENDABLE_HEADER.test(name.toLowerCase())) {
      throw errors.signerProtocol(
        `The signer asked to send the header \`${name}\` with ${what}; only content-*, if-none-match and x-amz-* are sent`,
      );
    }
  }
}

/** Throws a `signer-protocol` error unless a view link is `https:` or `http:` (not `javascript:` or `file:`). */
export function checkViewLink(link: string, what: string): void {
  const url = parse(link, what);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw errors.signerProtocol(
      `The signer gave ${what} the view link \`${url.protocol}…\`; only http(s) links are kept`,
    );
  }
}
