import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { onTestFinished } from 'vitest';

const run = promisify(execFile);

/** A real terminal (a tmux pane of a set size) running one command; its screen is read as people see it. */
export class Terminal {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /**
   * Runs `command` in a detached tmux session `columns` wide and `rows` high, with `env` added; the pane
   * stays after the command ends, and tmux is stopped when the test ends.
   */
  static async start(command: string[], columns: number, rows = 40, env: NodeJS.ProcessEnv = {}): Promise<Terminal> {
    const socket = `hoist-test-${randomBytes(6).toString('hex')}`;
    const quoted = command.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(' ');
    const vars = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
    await run('tmux', [
      '-L',
      socket,
      'new-session',
      '-d',
      '-x',
      String(columns),
      '-y',
      String(rows),
      ...vars,
      `${quoted}; echo "[exited $?]"; sleep 600`,
    ]);
    onTestFinished(() =>
      run('tmux', ['-L', socket, 'kill-server']).then(
        () => undefined,
        () => undefined,
      ),
    );
    return new Terminal(socket);
  }

  /** The screen's lines, a line the terminal wrapped joined back into one; trailing blank rows dropped. */
  async screen(): Promise<string[]> {
    const { stdout } = await run('tmux', ['-L', this.#socket, 'capture-pane', '-p', '-J']);
    return stdout.replace(/\n+$/u, '').split('\n');
  }

  /** Polls the screen until `done` says yes, or fails after `timeoutMs` showing the last screen. */
  async waitFor(done: (rows: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.screen();
      if (done(rows)) return rows;
      if (Date.now() > until) throw new Error(`The screen never showed what was awaited:\n${rows.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
