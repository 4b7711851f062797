import { join, resolve } from 'node:path';
import {
  addViewLinks,
  DEFAULT_IGNORE,
  makePrivateDir,
  newBatchId,
  UploadEngine,
  writeReport,
  type Batch,
  type ConflictChoice,
  type FolderPlan,
} from '../engine';
import type { BatchReport } from '../shared/outcome';
import type { Reporter } from './output';
import { startEmbeddedStack } from '../embedded/embedded-stack';

/** Options of `hoist push`, already parsed. */
export interface PushOptions {
  signer?: string;
  token?: string;
  /** Gets a fresh token when the signer refuses the one in use (a stored sign-in refreshed). */
  refreshToken?: () => Promise<string>;
  /** A number pins the connections; `auto` lets the engine find them, between the min and max given. */
  concurrency: number | 'auto';
  minConcurrency?: number;
  maxConcurrency?: number;
  /** Extra certificate authorities to trust, in a PEM file. */
  caFile?: string;
  bwlimit?: number;
  dryRun: boolean;
  report?: string;
  stateDir: string;
  ignore?: string[];
  /** Ask the signer for a view link to each uploaded file, for the report. */
  links?: boolean;
  /** Follow symlinks that lead outside the folder. */
  followSymlinks?: boolean;
  /** Allow plain http to a signer or store off this machine. */
  allowHttp?: boolean;
  /** A folder inside the caller's prefix; each folder's own new batch folder when absent. */
  to?: string;
  /** What to do where `to` holds a different file. */
  onConflict?: ConflictChoice;
}

/** Exit codes: all good, some files failed, bad usage, the batch could not run at all. */
export const EXIT = { ok: 0, partial: 1, usage: 2, fatal: 3 } as const;

function reportBase(options: PushOptions, batch: Batch, count: number): string {
  if (!options.report) return join(options.stateDir, 'reports', batch.id);
  const base = options.report.replace(/\.(json|csv)$/u, '');
  return count > 1 ? `${base}-${batch.id}` : base;
}

function printPlan(out: Reporter, folder: string, plan: FolderPlan): void {
  const there = plan.destination
    ? `; ${plan.alreadyThere.length} already there; ${plan.conflicts.length} in conflict`
    : '';
  out.info(
    `${folder}: ${plan.upload.files} files (${plan.upload.bytes} bytes, ${plan.upload.multipart} multipart) would upload${there}; ${plan.rejected.length} rejected; ${plan.skipped.length} skipped`,
  );
  for (const quota of plan.quotas) out.warning(`${folder}: ${quota}`);
  for (const c of plan.conflicts) out.info(`  conflict ${c.path}: ${c.reason}`);
  for (const r of plan.rejected) out.info(`  rejected ${r.path}: ${r.reason}`);
  for (const s of plan.skipped) out.info(`  skipped ${s.path}: ${s.reason}`);
}

/** `hoist push`: plans or uploads each folder as a batch, resuming an unfinished one; returns the exit code. */
export async function push(folders: string[], options: PushOptions, out: Reporter): Promise<number> {
  const stack = options.signer ? undefined : await startEmbeddedStack(options.stateDir);
  const signerUrl = options.signer ?? stack!.signerUrl;
  const token = options.token ?? stack?.token;
  if (!token) {
    out.warning('No token: run `hoist login`, pass --token-file, set HOIST_TOKEN, or put "token" in the settings file');
    return EXIT.usage;
  }
  if (stack) out.info(`Using the embedded local signer and store (s3rver), data in ${stack.dataDir}`);
  const engine = new UploadEngine({
    signerUrl,
    signerId: stack ? 'embedded' : signerUrl,
    token,
    ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
    concurrency: options.concurrency,
    autoConcurrency: {
      ...(options.minConcurrency ? { min: options.minConcurrency } : {}),
      ...(options.maxConcurrency ? { max: options.maxConcurrency } : {}),
    },
    ...(options.caFile ? { caFile: options.caFile } : {}),
    // The embedded signer and store are on this machine: never through a proxy the environment names.
    ...(stack ? { proxy: () => undefined } : {}),
    ...(options.bwlimit ? { bandwidth: options.bwlimit } : {}),
    stateDir: options.stateDir,
    allowHttp: Boolean(options.allowHttp),
  });
  let failed = false;
  try {
    if (options.onConflict === 'overwrite' && !(await engine.signer.policy()).overwrite) {
      out.warning(
        "--on-conflict overwrite: the signer's policy does not let you replace objects; choose skip, rename or fail",
      );
      return EXIT.usage;
    }
    if (options.dryRun) {
      for (const folder of folders) {
        const root = resolve(folder);
        const plan = await engine.plan(root, {
          ignore: options.ignore ?? DEFAULT_IGNORE,
          batchId: newBatchId(root),
          followSymlinks: Boolean(options.followSymlinks),
          ...(options.to ? { destination: options.to } : {}),
        });
        printPlan(out, folder, plan);
      }
      return EXIT.ok;
    }
    makePrivateDir(options.stateDir);
    makePrivateDir(join(options.stateDir, 'reports'));
    const { prefix } = await engine.signer.policy();
    for (const folder of folders) {
      const root = resolve(folder);
      const unfinished = engine.unfinished().find((s) => s.header.root === root && s.header.destination === options.to);
      const batch = unfinished
        ? engine.resume(unfinished)
        : engine.batch(root, {
            ...(options.ignore ? { ignore: options.ignore } : {}),
            followSymlinks: Boolean(options.followSymlinks),
            ...(options.to ? { destination: options.to } : {}),
            ...(options.onConflict ? { onConflict: options.onConflict } : {}),
          });
      if (unfinished) out.info(`Resuming batch ${batch.id}: ${unfinished.finished.size} files already done`);
      batch.on('progress', (p) => out.progress(p));
      batch.on('file', (f) => out.file(f));
      batch.on('warning', (w) => out.warning(w));
      const report: BatchReport = await batch.run();
      const where: Record<string, string> = {};
      if (options.links) {
        try {
          const expiresAt = await addViewLinks(report, engine.signer);
          if (expiresAt) where.links = `in the report, valid until ${expiresAt}`;
        } catch (error) {
          // The files are uploaded and verified; links that cannot be had must not hide that.
          out.warning(`No view links in the report: ${(error as Error).message}`);
        }
      }
      const base = reportBase(options, batch, folders.length);
      try {
        const paths = await writeReport(report, base);
        Object.assign(where, { report: paths.json, csv: paths.csv });
      } catch (error) {
        // The files are uploaded; a report that cannot be written (disk full) must not hide that.
        out.warning(`Cannot write the report ${base}.json: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      const landed = `${prefix}/${batch.destination ?? batch.id}/`;
      where.objects = stack
        ? `${join(stack.dataDir, stack.bucket)}/${landed} (s3://${stack.bucket}/${landed})`
        : `keys under ${landed}`;
      out.end(report, where);
      failed ||= report.counts.failed > 0;
    }
    return failed ? EXIT.partial : EXIT.ok;
  } finally {
    engine.close();
    await stack?.stop();
  }
}
