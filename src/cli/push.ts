import { join } from 'node:path';
import { makePrivateDir, UploadEngine } from '../engine';
import { connect } from './connect';
import { dryRun } from './dry-run';
import type { Reporter } from './output';
import { engineOptions, type PushOptions } from './push-options';
import { uploadFolder } from './upload-folder';

/** Exit codes: all good, some files failed, bad usage, the batch could not run at all. */
export const EXIT = { ok: 0, partial: 1, usage: 2, fatal: 3 } as const;

/** `hoist push`: plans or uploads each folder as a batch, resuming an unfinished one; returns the exit code. */
export async function push(
  folders: string[],
  options: PushOptions,
  env: NodeJS.ProcessEnv,
  out: Reporter,
): Promise<number> {
  const connected = await connect(options, env, out);
  if (!connected) return EXIT.usage;
  const { connection, stack } = connected;
  const engine = new UploadEngine(engineOptions(options, connection));
  try {
    const policy = await engine.signer.policy();
    if (options.onConflict === 'overwrite' && !policy.overwrite) {
      out.warning(
        "--on-conflict overwrite: the signer's policy does not let you replace objects; choose skip, rename or fail",
      );
      return EXIT.usage;
    }
    if (options.dryRun) {
      await dryRun(engine, folders, options, out);
      return EXIT.ok;
    }
    makePrivateDir(options.stateDir);
    makePrivateDir(join(options.stateDir, 'reports'));
    const upload = { engine, options, out, prefix: policy.prefix, folders: folders.length, stack };
    let failed = false;
    for (const folder of folders) failed = (await uploadFolder(upload, folder)).counts.failed > 0 || failed;
    return failed ? EXIT.partial : EXIT.ok;
  } finally {
    engine.close();
    await stack?.stop();
  }
}
