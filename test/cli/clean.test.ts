import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hoistExit, hoistPush } from '../helpers/cli';
import { makeFolder } from '../helpers/folders';

// `hoist clean` on a state folder that real pushes to the embedded store filled.

const DAY = 86_400_000;

/** Pushes a folder of one file to the embedded store under `stateDir`; resolves to its batch id. */
async function pushed(stateDir: string, local: NodeJS.ProcessEnv): Promise<string> {
  const run = hoistPush([await makeFolder({ 'a.txt': 'a' }), '--state-dir', stateDir, '--new-folder', '--json'], local);
  expect(await run.exited).toBe(0);
  return run.events.find((e) => e.event === 'end')!.batchId as string;
}

/** Sets the times of the files `names` in `dir` to `days` ago. */
async function age(dir: string, names: string[], days: number) {
  const then = new Date(Date.now() - days * DAY);
  for (const name of names) await utimes(join(dir, name), then, then);
}

describe('hoist clean', () => {
  it('removes old reports and ended journals, keeps unfinished batches unless asked, and empties the embedded store on request', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-clean-'));
    const local = { HOIST_SIGNER: '', HOIST_TOKEN: '', HOIST_CONFIG: join(stateDir, 'none.json') };
    const old = await pushed(stateDir, local);
    const recent = await pushed(stateDir, local);
    const journals = join(stateDir, 'journals');
    const reports = join(stateDir, 'reports');
    // An old batch that never ended: its journal without the end record.
    const lines = (await readFile(join(journals, `${old}.jsonl`), 'utf8')).trim().split('\n');
    await writeFile(
      join(journals, 'unfinished.jsonl'),
      `${lines.filter((l) => !l.includes('"t":"end"')).join('\n')}\n`,
    );
    await age(journals, [`${old}.jsonl`, 'unfinished.jsonl'], 40);
    await age(reports, [`${old}.json`, `${old}.csv`], 40);

    const dry = await hoistExit(['clean', '-n', '--state-dir', stateDir]);
    expect(dry.stdout).toMatch(
      /: would remove 1 report, 1 journal \(\d+(\.\d)? k?B\); kept 1 unfinished batch older than 30 days \(pushing the folder again resumes it; --unfinished removes it\)\n$/u,
    );
    expect(existsSync(join(reports, `${old}.json`))).toBe(true);

    const done = await hoistExit(['clean', '--state-dir', stateDir, '--json']);
    expect(JSON.parse(done.stdout)).toMatchObject({ event: 'clean', reports: 1, journals: 1, keptUnfinished: 1 });
    expect((await readdir(reports)).sort()).toEqual([`${recent}.csv`, `${recent}.json`]);
    expect((await readdir(journals)).filter((n) => n.endsWith('.jsonl')).sort()).toEqual(
      [`${recent}.jsonl`, 'unfinished.jsonl'].sort(),
    );

    const all = await hoistExit(['clean', '--older-than', '0d', '--unfinished', '--embedded', '--state-dir', stateDir]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/: removed 1 report, 2 journals, the embedded store's files \(\d+(\.\d)? kB\)\n$/u);
    expect(await readdir(reports)).toEqual([]);
    expect(existsSync(join(stateDir, 'local', 's3'))).toBe(false);
    expect(existsSync(join(stateDir, 'local', 'token'))).toBe(true);
    // The embedded store starts afresh, with the same token.
    await pushed(stateDir, local);
    const bad = await hoistExit(['clean', '--older-than', 'week', '--state-dir', stateDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected `--older-than` to be a whole number of days like `30d`, got `week`');
  });
});
