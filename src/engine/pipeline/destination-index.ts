import type { DestinationObject } from '@hoist/protocol';
import type { SignerClient } from '../signer/signer-client';

/** What a destination held when the batch listed it: each object's size and ETag by its path inside it. */
export class DestinationIndex {
  readonly destination: string;
  readonly #objects: Map<string, Omit<DestinationObject, 'path'>>;
  /** Listing requests it took. */
  readonly requests: number;

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
      for (const { path, size, etag } of page.objects) objects.set(path, { size, etag });
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
}
