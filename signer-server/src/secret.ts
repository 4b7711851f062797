const HEX = /^(?:[0-9a-f]{2})+$/iu;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/u;
const MIN_BYTES = 32;
const HOW = 'make one with `openssl rand -hex 32`';

/** The bytes a secret written as hex or base64 (standard or url-safe) stands for, or undefined. */
export function secretBytes(text: string): Buffer | undefined {
  if (HEX.test(text)) return Buffer.from(text, 'hex');
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  const canonical = bytes.toString('base64').replace(/=+$/u, '');
  return canonical === text.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/u, '') ? bytes : undefined;
}

/**
 * Why `text` is not a secret worth its name, or undefined when it is: it must be hex or base64 of at
 * least 32 bytes, and look random. 32 random bytes hold 30 distinct values on average, and fewer than
 * 20 (the bound for 32 bytes: 60% of the length, at most 100) happens about once in 10^10; a typed or patterned string (`aaaa…`, `0123…` repeated) has far fewer.
 */
export function secretStrengthProblem(text: string): string | undefined {
  const bytes = secretBytes(text);
  if (!bytes) return `expected at least ${MIN_BYTES} random bytes written as hex or base64; ${HOW}`;
  if (bytes.length < MIN_BYTES) {
    return `expected at least ${MIN_BYTES} random bytes (256 bits), got ${bytes.length}; ${HOW}`;
  }
  const distinct = new Set(bytes).size;
  if (distinct < Math.min(Math.ceil(bytes.length * 0.6), 100)) {
    return `does not look random (${distinct} distinct byte values in ${bytes.length}); ${HOW}`;
  }
  return undefined;
}
