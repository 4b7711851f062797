/** The most bytes S3 allows in an object key. */
export const MAX_KEY_BYTES = 1024;

/** Why a client path cannot become a key; `message` is written for a person. */
export interface PathRejection {
  code: 'invalid-path';
  message: string;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const DRIVE = /^[A-Za-z]:/u;
const SLASH_LIKE = /[/\\\u2044\u2215\u29f8\u29f9\ufe68\uff0f\uff3c]/u;
const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;

function rejectSegment(segment: string, path: string): PathRejection | undefined {
  if (segment === '') return { code: 'invalid-path', message: `Path \`${path}\` has an empty segment` };
  // Compatibility forms catch look-alikes such as "．．" (fullwidth dots) or "∕" (division slash).
  const folded = segment.normalize('NFKC');
  if (segment === '.' || segment === '..' || folded === '.' || folded === '..') {
    return { code: 'invalid-path', message: `Path \`${path}\` has a \`${segment}\` segment` };
  }
  if (SLASH_LIKE.test(folded)) {
    return { code: 'invalid-path', message: `Path \`${path}\` has a character that looks like a slash` };
  }
  return undefined;
}

/** Normalises a client's relative path (NFC, `\` to `/`) or says why it can never be a key. */
export function normaliseRelativePath(raw: string): { path: string } | PathRejection {
  const path = raw.normalize('NFC').replaceAll('\\', '/');
  if (path === '') return { code: 'invalid-path', message: 'Path is empty' };
  if (CONTROL.test(path))
    return { code: 'invalid-path', message: `Path \`${JSON.stringify(raw)}\` has a control character` };
  if (path.startsWith('/') || DRIVE.test(path)) {
    return { code: 'invalid-path', message: `Path \`${raw}\` is absolute; expected a path relative to the folder` };
  }
  for (const segment of path.split('/')) {
    const rejection = rejectSegment(segment, raw);
    if (rejection) return rejection;
  }
  return { path };
}

/** True when `batch` is a usable batch id: 1-64 of letters, digits, `.`, `_`, `-`, not starting with a mark. */
export function isBatchId(batch: string): boolean {
  return BATCH_ID.test(batch);
}

/** Builds `<prefix>/<batch>/<path>` from a normalised path, or rejects it when the key would pass 1024 bytes. */
export function buildKey(prefix: string, batch: string, path: string): { key: string } | PathRejection {
  const key = `${prefix}/${batch}/${path}`;
  const bytes = new TextEncoder().encode(key).length;
  if (bytes > MAX_KEY_BYTES) {
    return { code: 'invalid-path', message: `Key for \`${path}\` would be ${bytes} bytes; S3 allows ${MAX_KEY_BYTES}` };
  }
  return { key };
}
