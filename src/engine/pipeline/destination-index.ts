import { splitExtension, type DestinationObject } from '@hoist/protocol';
import type { SignerClient } from '../signer/signer-client';

/** What a destination held when the batch listed it: each object's size, ETag and time by its path inside it. */
export class DestinationIndex {
  readonly destination: string;
  readonly #objects: Map<string, Omit<DestinationObject, 'path'>>;
  /** Listing requests it took. */
  readonly requests: number;
  #copies: Map<string, string[]> | undefined;

  private constructor(destination: string, objects: Map<string, Omit<DestinationObject, 'path'>>, requests: number) {
    this.destination = destination;
    this.#objects = objects;
    this.requests = requests;
  }

  /** Lists `destination` once, page by page (5,000 objects per request), never one request per file. */
  static async load(signer: SignerClient, destination: string, signal?: AbortSignal): Promise<DestinationIndex> {
    const objects = new Map<string, Omit<DestinationObject, 'path'>>();
    let after: string | undefined;
    let requests = 0;
    do {
      const page = await signer.listDestination(destination, after, signal);
      requests += 1;
      for (const { path, ...object } of page.objects) objects.set(path, object);
      after = page.next;
    } while (after !== undefined);
    return new DestinationIndex(destination, objects, requests);
  }

  /** How many objects the destination held. */
  get size(): number {
    return this.#objects.size;
  }

  /** The object at `path` (normalised, relative to the destination), or undefined when there is none. */
  get(path: string): Omit<DestinationObject, 'path'> | undefined {
    return this.#objects.get(path);
  }

  /** The renamed copies the destination holds of `path` (`a (1).jpg`, `a (2).jpg` for `a.jpg`), lowest number first. */
  copiesOf(path: string): string[] {
    this.#copies ??= copiesByOriginal(this.#objects.keys());
    return this.#copies.get(path) ?? [];
  }
}

const COPY_STEM = /^(.*) \((\d+)\)$/u;

/** Every `stem (n).ext` among `paths`, under the `stem.ext` it is a copy of, sorted by `n`. */
function copiesByOriginal(paths: Iterable<string>): Map<string, string[]> {
  const numbered = new Map<string, { path: string; n: number }[]>();
  for (const path of paths) {
    const { stem, extension } = splitExtension(path);
    const copy = COPY_STEM.exec(stem);
    if (!copy) continue;
    const original = `${copy[1]}${extension}`;
    const copies = numbered.get(original) ?? [];
    copies.push({ path, n: Number(copy[2]) });
    numbered.set(original, copies);
  }
  return new Map(
    [...numbered].map(([original, copies]) => [original, copies.sort((a, b) => a.n - b.n).map((c) => c.path)]),
  );
}
