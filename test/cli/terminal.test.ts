import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytes, makeFolder } from '../helpers/folders';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';
import { Terminal } from '../helpers/terminal';

// `hoist push` in a real terminal (tmux) at the widths people use, read back from the screen.
const rig = useProxiedS3();
let signer: TestSigner;
const LONG_NAME = 'client deliveries/2026-12 wedding/second shooter/installer-for-the-gallery-app-do-not-send.exe';

beforeAll(async () => {
  signer = await rig.signer({ policy: { allowedTypes: ['image/*'] } });
});

/** A push of 10 MiB at 2 MiB/s, so the progress line is on screen for a few seconds, and one refused file. */
async function pushInTerminal(columns: number): Promise<Terminal> {
  const files: Record<string, Buffer> = Object.fromEntries(
    Array.from({ length: 40 }, (_, i) => [`shoot/IMG_${1000 + i}.jpg`, bytes(256 * 1024)]),
  );
  files[LONG_NAME] = bytes(10);
  const root = await makeFolder(files);
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-tty-'));
  const args = ['push', root, '--signer', signer.url, '--token', signer.tokens.alice, '--state-dir', stateDir];
  return Terminal.start([process.execPath, 'bin/hoist.js', ...args, '--bwlimit', '2M'], columns);
}

const progressRow = (rows: string[]) => rows.find((row) => /\d+%.*ETA/u.test(row));

describe('hoist push in a terminal', () => {
  it.each([80, 120])('lays the progress line out for %i columns, and prints reasons whole', async (columns) => {
    const terminal = await pushInTerminal(columns);
    // A line from the middle of the run: under 100 %, with the time left known.
    const rows = await terminal.waitFor((screen) => /^[^%]*\b\d{1,2}% .*ETA \d/u.test(progressRow(screen) ?? ''));
    const line = progressRow(rows)!;
    const screen = rows.join('\n');
    expect(line.length, screen).toBeLessThanOrEqual(columns);
    // Percent, sizes, speed and ETA at any width; the whole count of files from the start.
    expect(line, screen).toMatch(/\d+% \| .*\d+(\.\d)? [kMG]?B\/10(\.\d)? MB \| \d+(\.\d)? [kMG]?B\/s \| .*ETA \d+s/u);
    if (columns >= 120) expect(line).toMatch(/\/41 files .* conn/u);
    const end = await terminal.waitFor((screen) => screen.some((row) => row.startsWith('[exited')));
    expect(end).toContain('[exited 4]');
    // The refusal's reason is on the screen in full, wrapped by the terminal, not cut by a redraw.
    const text = end.join('\n');
    expect(text).toContain(`refused: ${LONG_NAME}: Content type \`application/`);
    expect(text).toMatch(/40 uploaded, 0 skipped, 1 refused, 0 failed/u);
  });
});
