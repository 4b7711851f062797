import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { collisionKey, DuplicateNames } from '@hoist/protocol';
import { describe, expect, it } from 'vitest';

/** What a batch's duplicate check must answer: every path kept whole in one map, by its folded form. */
class EveryPath {
  readonly #seen = new Map<string, string>();

  check(path: string): string | undefined {
    const first = this.#seen.get(collisionKey(path));
    if (first === undefined) {
      this.#seen.set(collisionKey(path), path);
      return undefined;
    }
    return first === path
      ? `Path ${JSON.stringify(path)} appears twice in this batch`
      : `Paths ${JSON.stringify(first)} and ${JSON.stringify(path)} differ only in case or character forms; Windows and macOS would make them one file`;
  }
}

// Few folders and names, so paths meet often: the same path again, case variants, `ß` against `SS`, a
// ligature against its letters, a trailing dot, folders that fold alike holding names that fold alike;
// in runs of paths in one folder, as a walk gives them.
const folder = fc.constantFrom('', 'a', 'A', 'photos', 'Photos', 'a/ss', 'A/SS', 'a/ß', 'x y/c.', 'x y/c');
const name = fc.constantFrom('a', 'A', 'b', 'ss', 'SS', 'ß', 'ﬁ', 'fi', 'c.', 'c', 'x y');
const run = fc
  .tuple(folder, fc.array(name, { minLength: 1, maxLength: 5 }))
  .map(([dir, names]) => names.map((n) => (dir ? `${dir}/${n}` : n)));
const paths = fc.array(run, { maxLength: 25 }).map((runs) => runs.flat());

describe('DuplicateNames', () => {
  it('answers as a map of every path would, whatever folders it packs and unpacks', () => {
    fc.assert(
      fc.property(paths, fc.integer({ min: 0, max: 6 }), (paths, openNames) => {
        const names = new DuplicateNames({ openNames });
        const every = new EveryPath();
        for (const p of paths) expect(names.check(p)).toBe(every.check(p));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a duplicate in a folder packed long before, and names the first path', () => {
    const names = new DuplicateNames({ openNames: 2 });
    expect(names.check('Trip/IMG_1.JPG')).toBeUndefined();
    for (let i = 0; i < 50; i++) expect(names.check(`other${i}/a.jpg`)).toBeUndefined();
    expect(names.check('trip/img_1.jpg')).toContain('"Trip/IMG_1.JPG" and "trip/img_1.jpg" differ only in case');
    expect(names.check('Trip/IMG_1.JPG')).toBe('Path "Trip/IMG_1.JPG" appears twice in this batch');
    expect(names.check('Trip/IMG_2.JPG')).toBeUndefined();
  });

  it('keeps a name in the bytes of its name once its folder is packed, not an entry per path', () => {
    // A full collection before each reading, so the heap in use is what the check keeps.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const kept = (check: { check(path: string): unknown }) => {
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let f = 0; f < 100; f++) for (let i = 0; i < 2000; i++) check.check(`folder-${f}/IMG_${i}.JPG`);
      gc();
      return (process.memoryUsage().heapUsed - before) / 200_000;
    };
    const packed = kept(new DuplicateNames({ openNames: 1000 }));
    const every = kept(new EveryPath());
    // Measured: 14 bytes a path (`IMG_1234.JPG` and a separator) against 110 for a map of every path.
    expect(packed).toBeLessThan(20);
    expect(every).toBeGreaterThan(5 * packed);
  });
});
