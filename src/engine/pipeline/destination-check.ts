import { buildKey, choosePartSize, formatBytes, partCount, resolveFolder, type Policy } from '@hoist/protocol';
import { UploadError } from '../errors';
import PQueue from 'p-queue';
import { md5Of, multipartEtag, SMALL_FILE_BYTES, type Md5 } from '../hashing/file-hash';
import { fileIdentity } from '../hashing/file-identity';
import type { HashCache } from '../hashing/hash-cache';
import type { HashPool } from '../hashing/hash-pool';
import type { SignerClient } from '../signer/signer-client';
import type { FileVersion } from '../../shared/outcome';
import { DestinationIndex } from './destination-index';
import type { PendingFile } from './pending-file';

/** How a file compares with what its destination holds at its key. */
export type Verdict =
  | { kind: 'absent' }
  | { kind: 'same'; key: string; etag: string; md5?: Md5; renamedTo?: string }
  | { kind: 'different'; key: string; why: string; md5?: Md5; there: FileVersion };

/** A file to compare, under its normalised path. */
export interface Comparison {
  file: PendingFile;
  path: string;
}

/** Files hashed at once for comparing; small files go to a hash thread in one message. */
const HASHED_AT_ONCE = 4;

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
  readonly #cache: HashCache;
  readonly #policy: Policy;

  constructor(index: DestinationIndex, hasher: HashPool, cache: HashCache, policy: Policy) {
    this.#index = index;
    this.#hasher = hasher;
    this.#cache = cache;
    this.#policy = policy;
  }

  /** The destination's name, as the signer was given it. */
  get destination(): string {
    return this.#index.destination;
  }

  /**
   * Verdicts for many files, in order (or why one could not be read): MD5s already in the hash cache are
   * taken from it; small files that still need one are read by a hash thread in one message, the rest
   * hashed four at a time.
   */
  async judgeMany(items: readonly Comparison[]): Promise<(Verdict | { error: unknown })[]> {
    const md5s = new Map<PendingFile, Md5 | { error: unknown }>();
    const candidates = items.filter(({ file, path }) => {
      const object = this.#index.get(path);
      return !file.md5 && file.size <= SMALL_FILE_BYTES && object?.size === file.size && PLAIN_ETAG.test(object.etag);
    });
    const identities = await Promise.all(
      candidates.map(({ file }) => fileIdentity(file.absolutePath).catch(() => undefined)),
    );
    const needMd5: { file: PendingFile; identity: string | undefined }[] = [];
    candidates.forEach(({ file }, i) => {
      const identity = identities[i];
      const known = identity && this.#cache.get(identity, 'md5');
      if (known) md5s.set(file, md5Of(known));
      else needMd5.push({ file, identity });
    });
    if (needMd5.length) {
      try {
        const reads = await this.#hasher.readSmall(needMd5.map((item) => item.file));
        reads.forEach((read, i) => {
          const { file, identity } = needMd5[i]!;
          md5s.set(file, 'error' in read ? read : read.md5);
          if (identity && !('error' in read)) this.#cache.set(identity, 'md5', read.md5.hex);
        });
      } catch (error) {
        for (const item of needMd5) md5s.set(item.file, { error });
      }
    }
    const hashing = new PQueue({ concurrency: HASHED_AT_ONCE });
    return Promise.all(
      items.map(
        ({ file, path }) =>
          hashing.add(async (): Promise<Verdict | { error: unknown }> => {
            const md5 = md5s.get(file);
            if (md5 && 'error' in md5) return md5;
            try {
              return await this.judge(md5 ? { ...file, md5 } : file, path);
            } catch (error) {
              return { error };
            }
          }) as Promise<Verdict | { error: unknown }>,
      ),
    );
  }

  /** The verdict for one file under its normalised `path`; hashes it (once or in parts) when it must. */
  async judge(file: PendingFile, path: string): Promise<Verdict> {
    const object = this.#index.get(path);
    if (!object) return { kind: 'absent' };
    const built = buildKey(this.#policy.prefix, this.#index.destination, path);
    const key = 'key' in built ? built.key : path;
    const there: FileVersion = {
      size: object.size,
      ...(object.modified ? { modified: Date.parse(object.modified) } : {}),
    };
    if (object.size !== file.size) {
      return {
        kind: 'different',
        key,
        why: `A different file is at \`${key}\`: ${formatBytes(object.size)} there, ${formatBytes(file.size)} here`,
        there,
      };
    }
    const sameContent = `A different file of the same size is at \`${key}\``;
    const plain = PLAIN_ETAG.exec(object.etag);
    if (plain) {
      const md5 =
        file.md5 ??
        md5Of(await this.#cache.digest(file.absolutePath, 'md5', async () => (await this.#hasher.hashFile(file)).hex));
      return md5.hex === plain[1]
        ? { kind: 'same', key, etag: object.etag, md5 }
        : { kind: 'different', key, why: sameContent, md5, there };
    }
    const multipart = MULTIPART_ETAG.exec(object.etag);
    if (!multipart)
      return { kind: 'different', key, why: `${sameContent}, and its ETag \`${object.etag}\` is not an MD5`, there };
    const parts = Number(multipart[2]);
    const planned = choosePartSize(file.size, this.#policy.partSize);
    for (const partSize of new Set([planned, ...COMMON_PART_SIZES])) {
      if (partCount(file.size, partSize) !== parts) continue;
      if ((await this.#multipartEtag(file, partSize)) === `"${multipart[1]}-${parts}"`)
        return { kind: 'same', key, etag: object.etag };
    }
    return { kind: 'different', key, why: sameContent, there };
  }

  /**
   * A renamed copy beside `path` (`a (1).jpg` for `a.jpg`) that already holds this file's content, so a
   * rename run again sends nothing; undefined when none does.
   */
  async findCopy(file: PendingFile, path: string): Promise<Extract<Verdict, { kind: 'same' }> | undefined> {
    for (const copy of this.#index.copiesOf(path)) {
      if (this.#index.get(copy)?.size !== file.size) continue;
      const verdict = await this.judge(file, copy);
      if (verdict.kind === 'same') return { ...verdict, renamedTo: copy };
    }
    return undefined;
  }

  async #multipartEtag(file: PendingFile, partSize: number): Promise<string> {
    return this.#cache.digest(file.absolutePath, `etag:${partSize}`, async () => {
      const digests = this.#hasher.hashParts(file, partSize);
      const hexes: string[] = [];
      for (let part = await digests.next(); part; part = await digests.next()) hexes.push(part.md5.hex);
      return multipartEtag(hexes);
    });
  }
}

/** A batch's destination: the folder it goes to, and its listing on the way when it names one. */
export interface StartedDestination {
  folder: string;
  check: Promise<DestinationCheck> | undefined;
}

/**
 * Checks a batch's destination against the policy (a folder inside the prefix, one the caller may use,
 * named when the policy requires one) and starts listing it, so the scan can run meanwhile; no listing
 * for a batch that goes to its own folder. Throws a fatal UploadError naming the destination when it
 * cannot be used.
 */
export function startDestination(
  signer: SignerClient,
  hasher: HashPool,
  cache: HashCache,
  policy: Policy,
  batch: string,
  destination: string | undefined,
  signal?: AbortSignal,
): StartedDestination {
  const resolved = resolveFolder(batch, destination, policy.destinations ?? undefined);
  if ('code' in resolved) throw new UploadError(resolved.code, resolved.message, 'fatal');
  if (destination === undefined) return { folder: resolved.folder, check: undefined };
  const check = DestinationIndex.load(signer, resolved.folder, signal).then(
    (index) => new DestinationCheck(index, hasher, cache, policy),
  );
  // Awaited where the first files are settled; a listing that fails before then is not unhandled.
  check.catch(() => undefined);
  return { folder: resolved.folder, check };
}

/** As startDestination, waiting for the listing: the check, or undefined for a batch's own folder. */
export async function openDestination(
  ...args: Parameters<typeof startDestination>
): Promise<DestinationCheck | undefined> {
  return startDestination(...args).check;
}
