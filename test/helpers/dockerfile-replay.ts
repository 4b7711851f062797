import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** One Dockerfile instruction, continuation lines joined. */
interface Instruction {
  keyword: string;
  args: string;
}

/** What the replayed image runs: its entrypoint and healthcheck, with container paths mapped onto the folder. */
export interface ReplayedImage {
  root: string;
  env: Record<string, string>;
  user: string | undefined;
  entrypoint: string[];
  healthcheck: string[];
  stopSignal: NodeJS.Signals;
}

/** The instructions of a Dockerfile, comments dropped and `\`-continued lines joined. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/gu, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/u);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

// Whether the build context's `.dockerignore` leaves a path out: `**/name` anywhere, `name` at the top.
async function dockerIgnored(context: string): Promise<(path: string) => boolean> {
  const patterns = (await readFile(join(context, '.dockerignore'), 'utf8').catch(() => ''))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return (path) =>
    patterns.some((pattern) =>
      pattern.startsWith('**/')
        ? path.split('/').includes(pattern.slice(3))
        : path === pattern || path.startsWith(`${pattern}/`),
    );
}

/**
 * Runs `command` with bash in `cwd`, npm keeping its cache in the stage's root as in an image (a RUN's
 * `npm cache clean --force` would otherwise empty this machine's cache while other tests install from
 * it: seen failing with ENOTEMPTY); rejects with its output when it fails.
 */
function sh(command: string, cwd: string, root: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    // This machine's environment (its npm registry, proxy and CA settings), then the stage's ENV.
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: { ...process.env, npm_config_cache: join(root, 'root/.npm'), ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`RUN ${command} failed (${code}):\n${output}`)),
    );
  });
}

/**
 * Replays a Dockerfile's stages in folders on this machine, as a builder would (no Docker engine here):
 * FROM starts a stage in a fresh folder standing for its root, WORKDIR, COPY (from the build context or
 * `--from` a stage), ENV and RUN act there; the last stage's USER, HEALTHCHECK, STOPSIGNAL and ENTRYPOINT
 * are returned, their container paths mapped onto the folder. The base image's own files are not there:
 * what the stages run (`node`, `npm`) is this machine's.
 */
export async function replayDockerfile(dockerfile: string, context: string): Promise<ReplayedImage> {
  const ignored = await dockerIgnored(context);
  const stages = new Map<string, string>();
  let root = '';
  let workdir = '/';
  let env: Record<string, string> = {};
  let image: Omit<ReplayedImage, 'root' | 'env'> = {
    user: undefined,
    entrypoint: [],
    healthcheck: [],
    stopSignal: 'SIGTERM',
  };
  const inRoot = (path: string): string => join(root, path.startsWith('/') ? path : join(workdir, path));
  for (const { keyword, args } of instructions(await readFile(dockerfile, 'utf8'))) {
    switch (keyword) {
      case 'FROM': {
        root = await mkdtemp(join(tmpdir(), 'hoist-stage-'));
        const name = /\bAS\s+(\S+)$/iu.exec(args)?.[1];
        if (name) stages.set(name, root);
        workdir = '/';
        env = {};
        image = { user: undefined, entrypoint: [], healthcheck: [], stopSignal: 'SIGTERM' };
        break;
      }
      case 'WORKDIR':
        workdir = args.startsWith('/') ? args : join(workdir, args);
        await mkdir(inRoot(workdir), { recursive: true });
        break;
      case 'ENV':
        for (const pair of args.match(/\S+=("[^"]*"|\S+)/gu) ?? []) {
          const at = pair.indexOf('=');
          env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"|"$/gu, '');
        }
        break;
      case 'COPY': {
        const words = args.split(/\s+/u);
        const from = words[0]?.startsWith('--from=') ? stages.get(words.shift()!.slice(7)) : undefined;
        if (from === undefined && args.startsWith('--from=')) throw new Error(`COPY from an unknown stage: ${args}`);
        const dest = words.pop()!;
        for (const source of words) {
          const path = from ? join(from, source) : join(context, source);
          // A folder's contents go into the destination; a file into it when it ends with `/`.
          const folder = (await stat(path)).isDirectory();
          const target = !folder && dest.endsWith('/') ? join(inRoot(dest), basename(source)) : inRoot(dest);
          await mkdir(join(target, '..'), { recursive: true });
          await cp(path, target, {
            recursive: true,
            filter: (p) => from !== undefined || !ignored(p.slice(context.length + 1)),
          });
        }
        break;
      }
      case 'RUN':
        await sh(args, inRoot(workdir), root, env);
        break;
      case 'USER':
        image.user = args;
        break;
      case 'HEALTHCHECK':
        image.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
        break;
      case 'STOPSIGNAL':
        image.stopSignal = args as NodeJS.Signals;
        break;
      case 'ENTRYPOINT':
        image.entrypoint = JSON.parse(args) as string[];
        break;
      case 'EXPOSE':
        break;
      default:
        throw new Error(`The replay does not know \`${keyword}\``);
    }
  }
  return { root, env, ...image };
}

/** Starts `command` (an exec-form array) as the image would, `node` being this one and paths in the folder. */
export function runInImage(image: ReplayedImage, command: string[], env: Record<string, string>): ChildProcess {
  const [program, ...args] = command.map((word) => (word.startsWith('/') ? join(image.root, word) : word));
  return spawn(program === 'node' ? process.execPath : program!, args, {
    env: { PATH: process.env.PATH!, ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
