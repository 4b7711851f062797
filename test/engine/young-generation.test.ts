import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { capYoungGeneration } from '../../src/engine/young-generation';

const run = promisify(execFile);

// In child processes: the cap changes a V8 flag for the whole process, and each child starts from V8's defaults.
async function largestYoungMb(cap: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/helpers/young-generation-child.ts', cap]);
  return Number(stdout.trim());
}

describe('capYoungGeneration', () => {
  it('keeps the young generation near its cap under an allocation that grows it far past', async () => {
    const [uncapped, capped] = await Promise.all([largestYoungMb('none'), largestYoungMb('8')]);
    // Node 24's V8 grows it to 128 MB. Capped: 9-20 MB seen, two cores shared with other suites.
    expect(uncapped).toBeGreaterThanOrEqual(64);
    expect(capped).toBeGreaterThanOrEqual(8);
    expect(capped).toBeLessThanOrEqual(32);
  });

  it('names a cap it cannot take', () => {
    expect(() => capYoungGeneration(1)).toThrow('Expected `megabytes` to be an integer from 2 and up, got `1`');
    expect(() => capYoungGeneration(2.5)).toThrow('got `2.5`');
  });
});
