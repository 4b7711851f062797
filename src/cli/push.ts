import { join } from 'node:path';
import { makePrivateDir, UploadEngine } from '../engine';
import { connect } from './connect';
import { dryRun } from './dry-run';
import type { Reporter } from './output';
import { engineOptions, type PushOptions } from './push-options';
import { tallyOf, type FolderTally } from './summary';
import { uploadFolder } from './upload-folder';

/**
 * Exit codes: every file sent or skipped (0); some file failed (1); bad usage (2); the batch could not
 * run at all (3); some files were refused by the signer's policy and none failed (4).
 */
export const EXIT = { ok: 0, partial: 1, usage: 2, fatal: 3, refused: 4 } as const;

/** `hoist push`: plans or uploads each folder as a batch, resuming an unfinished one; returns the exit code. */
export async function push(
  folders: string[],
  given: PushOptions,
  env: NodeJS.ProcessEnv,
  out: Reporter,
): Promise<number> {
  const connected = await connect(given, env, out);
  if (!connected) return EXIT.usage;
  const { connection, stack } = connected;
  if (stack) out.info(`Using the embedded local signer and store (s3rver), data in ${stack.dataDir}`);
  if (stack && given.links) {
    out.warning(
      '--links: not offered on the embedded store, which stops when this push does, so its links would not open; ' +
        '`hoist serve` keeps it running, and a push to it with --signer gets links that work meanwhile',
    );
  }
  const options = stack ? { ...given, links: false } : given;
  const engine = new UploadEngine(engineOptions(options, connection));
  try {
    const policy = await engine.signer.policy();
    if (options.onConflict === 'overwrite' && !policy.overwrite) {
      out.error(
        "--on-conflict overwrite: the signer's policy does not let you replace objects; choose skip, rename or fail",
      );
      return EXIT.usage;
    }
    if (options.dryRun) {
      await dryRun(engine, folders, options, policy.prefix, out);
      return EXIT.ok;
    }
    makePrivateDir(options.stateDir);
    makePrivateDir(join(options.stateDir, 'reports'));
    const upload = { engine, options, out, prefix: policy.prefix, folders: folders.length, stack };
    // Each folder's outcomes are let go once its summary is out: the total needs only its tally.
    const tallies: FolderTally[] = [];
    for (const folder of folders) tallies.push(tallyOf(await uploadFolder(upload, folder)));
    out.total(tallies);
    const failed = tallies.some((tally) => tally.counts.failed > 0);
    const refused = tallies.some((tally) => tally.counts.rejected > 0);
    return failed ? EXIT.partial : refused ? EXIT.refused : EXIT.ok;
  } finally {
    engine.close();
    await stack?.stop();
  }
}
