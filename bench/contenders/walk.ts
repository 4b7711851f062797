import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file path under `folder`, depth first. */
export async function* walk(folder: string): AsyncGenerator<string> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
