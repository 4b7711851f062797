/** S3's smallest part (except the last), its largest part, and its most parts in one upload. */
export const S3_PART_LIMITS = { minPartSize: 5 * 1024 * 1024, maxPartSize: 5 * 1024 ** 3, maxParts: 10_000 } as const;

/** Picks a part size of at least `preferred`, in whole MiB, that splits `size` into at most 10,000 parts. */
export function choosePartSize(size: number, preferred: number): number {
  const mib = 1024 * 1024;
  const floor = Math.max(preferred, S3_PART_LIMITS.minPartSize, Math.ceil(size / S3_PART_LIMITS.maxParts));
  const partSize = Math.ceil(floor / mib) * mib;
  if (partSize > S3_PART_LIMITS.maxPartSize) {
    throw new RangeError(`Expected \`size\` to fit in ${S3_PART_LIMITS.maxParts} parts of 5 GiB, got \`${size}\``);
  }
  return partSize;
}

/** How many parts of `partSize` bytes make `size` bytes (an empty object still has one part). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** The byte length of part `partNumber` (1-based) of an object of `size` bytes. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}
