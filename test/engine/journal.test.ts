import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal, unfinishedJournals } from '../../src/engine/run/journal';

const header = (batchId: string, startedAt: string) =>
  JSON.stringify({ t: 'batch', v: 1, batchId, root: `/r/${batchId}`, signer: 'http://s', startedAt, ignore: [] });
const file = (path: string) =>
  JSON.stringify({ t: 'file', outcome: { path, status: 'uploaded', size: 1, key: `k/${path}` } });
const end = JSON.stringify({ t: 'end', endedAt: '2026-11-30T00:00:09.000Z' });
const resume = JSON.stringify({ t: 'resume', at: '2026-11-30T00:00:10.000Z' });

describe('unfinished journals', () => {
  it('are the batches whose last record is not an end, newest first, whatever a crash left torn', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-journals-'));
    const write = (name: string, lines: string[], tail = '\n') => writeFile(join(dir, name), lines.join('\n') + tail);
    await write('ended.jsonl', [header('ended', '2026-11-30T00:00:01.000Z'), file('a'), end]);
    // Ended, then a crash tore the next record (a retry starting): still ended.
    await write('ended-torn.jsonl', [header('ended-torn', '2026-11-30T00:00:02.000Z'), end], '\n{"t":"res');
    // Ended, then a retry of its failed files began and never ended: unfinished.
    await write('retried.jsonl', [header('retried', '2026-11-30T00:00:03.000Z'), end, resume, file('b')]);
    // Killed mid-batch, its last line torn.
    await write('killed.jsonl', [header('killed', '2026-11-30T00:00:04.000Z'), file('c')], '\n{"t":"fi');
    // A last record longer than the tail read: decided by the whole read.
    await write('long.jsonl', [header('long', '2026-11-30T00:00:05.000Z'), file(`${'d/'.repeat(300)}e`)]);

    const unfinished = unfinishedJournals(dir);
    expect(unfinished.map((s) => s.header.batchId)).toEqual(['long', 'killed', 'retried']);
    expect([...unfinished[1]!.finished.keys()]).toEqual(['c']);
  });
});

describe('reading a journal', () => {
  it('reads one larger than its chunks a line at a time, a character split across chunks intact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-journal-read-'));
    const start = header('big', '2026-11-30T00:00:01.000Z');
    // A path of '€' (3 bytes each) over the first 1 MiB chunk's edge, at each of its 3 alignments.
    for (const shift of [0, 1, 2]) {
      // The first path is written twice (as path and in its key): it brings the next to 900 bytes short of 1 MiB.
      const before = Buffer.byteLength(`${start}\n${file('')}\n{"t":"file","outcome":{"path":"`);
      const paths = [
        'a'.repeat(Math.floor((2 ** 20 - before - 900) / 2)),
        `${'b'.repeat(shift)}${'€'.repeat(600)}`,
        'after',
      ];
      const journal = join(dir, `big-${shift}.jsonl`);
      await writeFile(journal, [start, ...paths.map(file)].join('\n') + '\n{"t":"fi');

      const state = readJournal(journal)!;
      expect(state.header.batchId).toBe('big');
      expect([...state.finished.keys()]).toEqual(paths);
      expect(state.ended).toBe(false);
    }
  });
});
