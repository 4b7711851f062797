import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** V8's default for `--semi-space-growth-factor`: each growth of the young generation doubles it. */
const V8_GROWTH_FACTOR = 2;

/**
 * The cap a process running the engine sets. A push of 1,000,000 files (bench dataset M): 308-312 MB peak
 * RSS under it, 435 MB uncapped.
 */
const ENGINE_YOUNG_GENERATION_MB = 32;

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Holds the young generation of this thread's heap near `megabytes` (by default the engine's 32) for as
 * long as the process runs: V8 may double it only while the double stays within. Seen after collections a
 * turn of the event loop late, so it may pass the cap meanwhile (9-14 MB measured under a cap of 8). Node
 * 24's V8 grows it to 128 MB under a push of 1,000,000 files, all of it resident; the cap is set at run time
 * because a command-line flag (`--max-semi-space-size`) cannot be passed through an installed `hoist`
 * portably. V8's growth factor is one for the process: other threads stop growing theirs while this one is
 * at the cap.
 */
export function capYoungGeneration(megabytes = ENGINE_YOUNG_GENERATION_MB): void {
  if (!Number.isInteger(megabytes) || megabytes < 2) {
    throw new TypeError(`Expected \`megabytes\` to be an integer from 2 and up, got \`${megabytes}\``);
  }
  const cap = megabytes * 2 ** 20;
  let growing = true;
  new PerformanceObserver(() => {
    const grow = youngGenerationBytes() * V8_GROWTH_FACTOR <= cap;
    if (grow === growing) return;
    growing = grow;
    setFlagsFromString(`--semi-space-growth-factor=${grow ? V8_GROWTH_FACTOR : 1}`);
  }).observe({ entryTypes: ['gc'] });
}
