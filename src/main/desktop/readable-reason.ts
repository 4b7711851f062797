/**
 * A reason as a person reads it: a key under `base` (the batch's folder in the bucket, `users/ann/trip/`)
 * becomes its path inside that folder, and code quotes become “quotes”. The copied details keep the key.
 */
export function readableReason(reason: string, base?: string): string {
  return reason.replace(
    /`([^`]*)`/gu,
    (_quoted, inner: string) =>
      `“${base && inner.startsWith(base) && inner !== base ? inner.slice(base.length) : inner}”`,
  );
}
