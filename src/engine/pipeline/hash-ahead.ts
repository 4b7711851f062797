import { choosePartSize, type FileResult, type Policy } from '@hoist/protocol';
import type { HashPool, PartDigests } from '../hashing/hash-pool';
import type { PendingFile } from './pending-file';

/** One file's parts, hashing since before the signer planned it, at the part size its policy gives. */
export interface HashedAhead {
  file: PendingFile;
  partSize: number;
  digests: PartDigests;
}

/**
 * Starts hashing the parts of the first file in `files` that will go in parts, so that its first part's
 * MD5 (which its first PUT waits for) is worked out during the round trip that signs it, not after:
 * 16 MiB take ~60 ms on the hash thread here, on a 40 ms link a push's first byte waited for them.
 * One file per sign request: the next files' hashes would only compete with this one's.
 */
export function hashFirstPartsAhead(
  hasher: HashPool,
  files: readonly PendingFile[],
  policy: Policy,
): HashedAhead | undefined {
  const file = files.find((f) => f.size >= policy.multipartThreshold);
  if (!file) return undefined;
  let partSize;
  try {
    partSize = choosePartSize(file.size, policy.partSize);
  } catch {
    return undefined;
  }
  return { file, partSize, digests: hasher.hashParts(file, partSize) };
}

/**
 * The digests hashed ahead, when the signer planned their file (its answer among `results`, in the order
 * of `files`) in parts of the size they were hashed at; otherwise (refused, or another part size) stops
 * them, hashed for nothing.
 */
export function keepIfPlanned(
  ahead: HashedAhead,
  files: readonly PendingFile[],
  results: readonly FileResult[],
): PartDigests | undefined {
  const plan = results[files.indexOf(ahead.file)];
  if (plan?.status === 'multipart' && plan.partSize === ahead.partSize) return ahead.digests;
  ahead.digests.stop();
  return undefined;
}
