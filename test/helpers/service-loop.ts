import { spawn } from 'node:child_process';

/**
 * The event loop's delay (ms past the sampling interval) over one phase of a batch; `held*` count only the
 * part the main thread's own work caused, leaving out time the machine gave to other processes.
 */
export interface PhaseDelays {
  seconds: number;
  files: number;
  p50: number;
  p99: number;
  max: number;
  heldP99: number;
  heldMax: number;
  /** The share of the phase's time the holds took (0 to 1). */
  heldShare: number;
}

/** What service-loop-child.ts measured: the delays while planning, then while uploading, and the updates sent. */
export interface LoopDelays {
  plan: PhaseDelays;
  upload: PhaseDelays;
  updates: number;
}

/**
 * Runs the desktop's service in a child process of its own on `folder` through the signer at
 * `signerUrl`, uploading for at most `seconds`; resolves to its event loop's delays. `onChild` gets the
 * child, to end it early.
 */
export function measureServiceLoop(
  folder: string,
  signerUrl: string,
  token: string,
  seconds: number,
  onChild?: (child: { kill(signal: NodeJS.Signals): boolean }) => void,
): Promise<LoopDelays> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/service-loop-child.ts', folder, signerUrl, token, String(seconds)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  onChild?.(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((done, fail) =>
    child.on('exit', (code) =>
      code === 0 ? done(JSON.parse(out) as LoopDelays) : fail(new Error(`The service child exited ${code}: ${out}`)),
    ),
  );
}
