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

/** What `hoist push <args> --dry-run --json` says would upload, and how many files it would skip. */
async function planOf(args: string[]) {
  const run = hoistPush([...args, '--signer', signer.url, '--token', signer.tokens.alice, '--dry-run', '--json']);
  expect(await run.exited, run.stderr.join('')).toBe(0);
  const plan = run.events.find((e) => e.event === 'plan')!;
  return { upload: plan.upload, skipped: (plan.skipped as unknown[]).length };
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
    expect(plan).toEqual({ upload: { files: 1, bytes: 1, multipart: 0 }, skipped: 4 });
    const older = await planOf([root, '--ignore', '*.html']);
    expect(older).toEqual({ upload: { files: 2, bytes: 2, multipart: 0 }, skipped: 3 });
    const bare = await planOf(['--no-default-excludes', '--exclude', '*.html', root]);
    expect(bare).toEqual({ upload: { files: 3, bytes: 3, multipart: 0 }, skipped: 2 });
  });

  it('takes --include, one pattern per flag, and a .hoistignore in the folder, saying why each file stays', async () => {
    const root = await makeFolder({
      'a.jpg': 'a',
      'b.cr3': 'bb',
      'c.txt': 'c',
      'raw/d.cr3': 'ddd',
      '.hoistignore': 'raw/\n',
    });
    const plan = await planOf([root, '--include', '*.cr3', '--include', '*.jpg']);
    expect(plan).toEqual({ upload: { files: 2, bytes: 3, multipart: 0 }, skipped: 3 });
    const run = hoistPush([root, '--signer', signer.url, '--token', signer.tokens.alice, '--dry-run', '--json']);
    expect(await run.exited).toBe(0);
    const skipped = run.events.find((e) => e.event === 'plan')!.skipped as { path: string }[];
    expect(skipped.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: '.hoistignore', code: 'ignored', reason: 'Matches an ignore rule' },
      { path: 'raw/', code: 'ignored', reason: 'Folder matches a rule in .hoistignore; nothing in it was uploaded' },
    ]);
  });
});
