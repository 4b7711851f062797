import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hoistPush } from '../helpers/cli';
import { makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';

const s3 = inject('s3');
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3);
});
afterAll(async () => signer.close());

/** What `hoist push <args> --dry-run --json` says would happen, as its plan line. */
async function planOf(args: string[]): Promise<string> {
  const run = hoistPush([...args, '--signer', signer.url, '--token', signer.tokens.alice, '--dry-run', '--json']);
  expect(await run.exited).toBe(0);
  return run.events.map((e) => e.message).join('\n');
}

describe('excluding files', () => {
  it('takes one pattern per --exclude, before or after the folder, on top of the default excludes', async () => {
    const root = await makeFolder({
      'a.txt': 'a',
      'b.html': '<b>',
      'c.html': '<c>',
      '.DS_Store': 'x',
      'drafts/d.txt': 'd',
    });
    const plan = await planOf(['--exclude', '*.html', root, '--exclude', 'drafts/']);
    expect(plan).toContain('1 files (1 bytes, 0 multipart) would upload; 0 rejected; 4 skipped');
    const older = await planOf([root, '--ignore', '*.html']);
    expect(older).toContain('2 files (2 bytes, 0 multipart) would upload; 0 rejected; 3 skipped');
    const bare = await planOf(['--no-default-excludes', '--exclude', '*.html', root]);
    expect(bare).toContain('3 files (3 bytes, 0 multipart) would upload; 0 rejected; 2 skipped');
  });
});
