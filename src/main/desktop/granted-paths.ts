import { resolve } from 'node:path';

/**
 * The paths the person chose in this session: from a native picker, or dropped on the window (the
 * preload reads them from real File objects). `addBatches` takes only these, so a page that went wrong
 * cannot name `~/.ssh` and upload it.
 */
export class GrantedPaths {
  readonly #paths = new Set<string>();

  /** Records `paths` as chosen by the person; returns them. */
  grant(paths: string[]): string[] {
    for (const path of paths) this.#paths.add(resolve(path));
    return paths;
  }

  /** Throws, naming the first path the person did not choose and `how` to choose it. */
  assertGranted(
    paths: readonly string[],
    how = 'add folders by dropping them on the window or with Add folder…',
  ): void {
    const stranger = paths.find((path) => !this.#paths.has(resolve(path)));
    if (stranger !== undefined) throw new Error(`Refused \`${stranger}\`: ${how}`);
  }
}
