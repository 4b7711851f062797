import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listKeys } from '../helpers/bucket';
import { makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

const run = promisify(execFile);
const s3 = inject('s3');
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3);
});
afterAll(async () => signer.close());

describe('hoist push into a pipe that closes early', () => {
  it('keeps uploading when `| head -2` stops reading its JSON events, exits 0, and leaves no lock', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.txt`, `file ${i}`]));
    const root = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-pipe-'));
    const tokenFile = join(stateDir, 'token');
    await writeFile(tokenFile, signer.tokens.alice, { mode: 0o600 });
    const hoist = [
      'bin/hoist.js',
      'push',
      root,
      '--signer',
      signer.url,
      '--token-file',
      tokenFile,
      '--state-dir',
      stateDir,
      '--json',
    ]
      .map((word) => `'${word}'`)
      .join(' ');
    // The reader goes away after two lines; PIPESTATUS keeps hoist's own exit code.
    const { stdout, stderr } = await run('bash', [
      '-c',
      `'${process.execPath}' ${hoist} | head -2; echo "hoist exit $\{PIPESTATUS[0]}" >&2`,
    ]);
    expect(stdout.trim().split('\n')).toHaveLength(2);
    expect(stderr).toContain('hoist exit 0');
    expect(stderr).not.toMatch(/EPIPE|Unhandled/u);
    const journals = await readdir(join(stateDir, 'journals'));
    expect(journals.filter((name) => name.endsWith('.lock'))).toEqual([]);
    const reports = await readdir(join(stateDir, 'reports'));
    expect(reports.filter((name) => name.endsWith('.json'))).toHaveLength(1);
    const batch = reports[0]!.replace(/\.(json|csv)$/u, '');
    expect(await listKeys(adminClient(s3), signer.bucket, `users/alice/${batch}/`)).toHaveLength(40);
  });
});
