import {
  buildKey,
  choosePartSize,
  formatSize,
  partCount,
  resolveFolder,
  type Policy,
} from '@hoist/signer-server/protocol';
import { UploadError } from '../errors';
import { multipartEtag, type Md5 } from '../hashing/file-hash';
import type { HashPool } from '../hashing/hash-pool';
import type { SignerClient } from '../signer/signer-client';
import { DestinationIndex } from './destination-index';
import type { PendingFile } from './pending-file';

/** How a file compares with what its destination holds at its key. */
export type Verdict =
  | { kind: 'absent' }
  | { kind: 'same'; key: string; etag: string; md5?: Md5 }
  | { kind: 'different'; key: string; why: string };

/** Part sizes other tools use by default (AWS CLI 8 MiB; rclone and boto 5 MiB; Hoist 16 MiB), to read their ETags. */
const COMMON_PART_SIZES = [8, 5, 16, 64, 100].map((mib) => mib * 1024 * 1024);

const MULTIPART_ETAG = /^"?([0-9a-f]{32})-(\d+)"?$/u;
const PLAIN_ETAG = /^"?([0-9a-f]{32})"?$/u;

/**
 * Compares files with a destination's listing: same content (its ETag is the file's MD5, or the
 * multipart ETag of the file split as its uploader split it), different, or nothing there. Hashes only
 * files whose key holds an object of the same size.
 */
export class DestinationCheck {
  readonly #index: DestinationIndex;
  readonly #hasher: HashPool;
  readonly #policy: Policy;

  constructor(index: DestinationIndex, hasher: HashPool, policy: Policy) {
    this.#index = index;
    this.#hasher = hasher;
    this.#policy = policy;
  }

  /** The destination's name, as the signer was given it. */
  get destination(): string {
    return this.#index.destination;
  }

  /** The verdict for one file under its normalised `path`; hashes it (once or in parts) when it must. */
  async judge(file: PendingFile, path: string): Promise<Verdict> {
    const object = this.#index.get(path);
    if (!object) return { kind: 'absent' };
    const built = buildKey(this.#policy.prefix, this.#index.destination, path);
    const key = 'key' in built ? built.key : path;
    if (object.size !== file.size) {
      return {
        kind: 'different',
        key,
        why: `A different file is at \`${key}\`: ${formatSize(object.size)} there, ${formatSize(file.size)} here`,
      };
    }
    const sameContent = `A different file of the same size is at \`${key}\``;
    const plain = PLAIN_ETAG.exec(object.etag);
    if (plain) {
      const md5 = file.md5 ?? (await this.#hasher.hashFile(file));
      return md5.hex === plain[1] ? { kind: 'same', key, etag: object.etag, md5 } : { kind: 'different', key, why: sameContent };
    }
    const multipart = MULTIPART_ETAG.exec(object.etag);
    if (!multipart) return { kind: 'different', key, why: `${sameContent}, and its ETag \`${object.etag}\` is not an MD5` };
    const parts = Number(multipart[2]);
    const planned = choosePartSize(file.size, this.#policy.partSize);
    for (const partSize of new Set([planned, ...COMMON_PART_SIZES])) {
      if (partCount(file.size, partSize) !== parts) continue;
      if ((await this.#multipartEtag(file, partSize)) === `"${multipart[1]}-${parts}"`)
        return { kind: 'same', key, etag: object.etag };
    }
    return { kind: 'different', key, why: sameContent };
  }

  async #multipartEtag(file: PendingFile, partSize: number): Promise<string> {
    const digests = this.#hasher.hashParts(file, partSize);
    const hexes: string[] = [];
    for (let part = await digests.next(); part; part = await digests.next()) hexes.push(part.md5.hex);
    return multipartEtag(hexes);
  }
}

/**
 * Checks a batch's destination against the policy (a folder inside the prefix, one the caller may use,
 * named when the policy requires one) and lists it; undefined for a batch that goes to its own folder.
 * Throws a fatal UploadError naming the destination when it cannot be used.
 */
export async function openDestination(
  signer: SignerClient,
  hasher: HashPool,
  policy: Policy,
  batch: string,
  destination: string | undefined,
  signal?: AbortSignal,
): Promise<DestinationCheck | undefined> {
  const resolved = resolveFolder(batch, destination, policy.destinations ?? undefined);
  if ('code' in resolved) throw new UploadError(resolved.code, resolved.message, 'fatal');
  if (destination === undefined) return undefined;
  return new DestinationCheck(await DestinationIndex.load(signer, resolved.folder, signal), hasher, policy);
}
