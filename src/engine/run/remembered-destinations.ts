import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../private-files';

/** Source folders remembered at most: the oldest are forgotten first. */
const MAX_REMEMBERED = 10_000;

const FileSchema = z.object({
  v: z.literal(1),
  entries: z.record(z.string(), z.object({ destination: z.string(), at: z.string() })),
});

/**
 * Where each source folder went, per signer and user, so that pushing it again continues into the same
 * folder and only what is new or changed moves. A file that cannot be read is an empty memory: the next
 * push starts a fresh folder, nothing is lost.
 */
export class RememberedDestinations {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  /** The folder inside `prefix` that `root` went to last on `signer`, if any. */
  get(signer: string, prefix: string, root: string): string | undefined {
    return this.#read()[keyOf(signer, prefix, root)]?.destination;
  }

  /** Remembers that `root` went to `destination` on `signer` as the user of `prefix`. */
  set(signer: string, prefix: string, root: string, destination: string): void {
    const entries = this.#read();
    delete entries[keyOf(signer, prefix, root)];
    entries[keyOf(signer, prefix, root)] = { destination, at: new Date().toISOString() };
    const kept = Object.entries(entries).slice(-MAX_REMEMBERED);
    makePrivateDir(dirname(this.#file));
    const next = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(next, `${JSON.stringify({ v: 1, entries: Object.fromEntries(kept) })}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
    renameSync(next, this.#file);
  }

  #read(): z.output<typeof FileSchema>['entries'] {
    try {
      return FileSchema.parse(JSON.parse(readFileSync(this.#file, 'utf8'))).entries;
    } catch {
      return {};
    }
  }
}

const keyOf = (signer: string, prefix: string, root: string): string => JSON.stringify([signer, prefix, root]);
