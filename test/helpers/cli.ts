import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { onTestFinished } from 'vitest';

/** Kills `child` when the test ends, so a test that fails or times out leaves no upload running. */
function endsWithTest(child: ChildProcess): ChildProcess {
  onTestFinished(() => void child.kill('SIGKILL'));
  return child;
}

/** A `hoist push` child process with `--json` events collected as they arrive. */
export interface HoistRun {
  child: ChildProcess;
  events: Record<string, any>[];
  /** What it wrote to stderr so far: the words of an error that stopped it. */
  stderr: string[];
  exited: Promise<number | null>;
}

/** Runs `hoist push <args>` from this checkout (add `--json` to collect events), with `env` added. */
export function hoistPush(args: string[], env: NodeJS.ProcessEnv = {}): HoistRun {
  const child = endsWithTest(
    spawn(process.execPath, ['bin/hoist.js', 'push', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
  const events: Record<string, any>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => events.push(JSON.parse(line)));
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, events, stderr, exited };
}

/** Runs `hoist <args>` to its end, for its exit code and what it wrote to stdout and stderr. */
export async function hoistExit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = endsWithTest(
    spawn(process.execPath, ['bin/hoist.js', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}
