import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockBatch } from '../../src/engine/run/batch-lock';

const sleeper = () => spawn('sleep', ['30'], { stdio: 'ignore' });

describe('a batch lock', () => {
  it('is refused while a running process holds it, naming its pid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-lock-'));
    const holder = sleeper();
    try {
      await writeFile(join(dir, 'b1.lock'), String(holder.pid));
      expect(() => lockBatch(dir, 'b1')).toThrow(
        `Batch \`b1\` is being uploaded by another Hoist process (pid ${holder.pid})`,
      );
      // The way out when the pid has since gone to some other program.
      expect(() => lockBatch(dir, 'b1')).toThrow(`if no Hoist is running, delete ${join(dir, 'b1.lock')}`);
      expect(await readFile(join(dir, 'b1.lock'), 'utf8')).toBe(String(holder.pid));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('is taken over from a process that has ended, and released by its holder only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-lock-'));
    const ended = sleeper();
    ended.kill('SIGKILL');
    await new Promise((resolve) => ended.once('exit', resolve));
    await writeFile(join(dir, 'b2.lock'), String(ended.pid));
    const lock = lockBatch(dir, 'b2');
    expect(await readFile(join(dir, 'b2.lock'), 'utf8')).toBe(String(process.pid));
    lock!.release();
    expect(existsSync(join(dir, 'b2.lock'))).toBe(false);

    // A lock that another run has taken since is left alone.
    const again = lockBatch(dir, 'b2');
    await writeFile(join(dir, 'b2.lock'), '1');
    again!.release();
    expect(await readFile(join(dir, 'b2.lock'), 'utf8')).toBe('1');
  });

  it('is a file only its owner can read (0600)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-lock-'));
    const lock = lockBatch(dir, 'b3');
    expect((await stat(join(dir, 'b3.lock'))).mode & 0o777).toBe(0o600);
    lock?.release();
  });
});
