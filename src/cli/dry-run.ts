import { resolve } from 'node:path';
import type { FolderPlan, UploadEngine } from '../engine';
import type { Reporter } from './output';
import { destinationFor, planOptions, type PushOptions } from './push-options';

function printPlan(out: Reporter, folder: string, plan: FolderPlan): void {
  const there = plan.destination
    ? `; ${plan.alreadyThere.length} already there; ${plan.conflicts.length} in conflict`
    : '';
  out.info(
    `${folder}: ${plan.upload.files} files (${plan.upload.bytes} bytes, ${plan.upload.multipart} multipart) would upload${there}; ${plan.rejected.length} rejected; ${plan.skipped.length} skipped${plan.failed.length ? `; ${plan.failed.length} unreadable` : ''}`,
  );
  for (const quota of plan.quotas) out.warning(`${folder}: ${quota}`);
  for (const c of plan.conflicts) out.info(`  conflict ${c.path}: ${c.reason}`);
  for (const r of plan.rejected) out.info(`  refused ${r.path}: ${r.reason}`);
  for (const f of plan.failed) out.info(`  unreadable ${f.path}: ${f.reason}`);
  for (const s of plan.skipped) out.info(`  skipped ${s.path}: ${s.reason}`);
}

/** `--dry-run`: plans each folder and prints where it would land and what would upload, be rejected or skipped; no byte moves. */
export async function dryRun(
  engine: UploadEngine,
  folders: string[],
  options: PushOptions,
  prefix: string,
  out: Reporter,
): Promise<void> {
  for (const folder of folders) {
    const root = resolve(folder);
    const { destination } = destinationFor(options, (source) => engine.rememberedDestination(source, prefix), root);
    const plan = await engine.plan(root, planOptions(options, destination));
    out.info(`${folder}: would land in ${prefix}/${plan.destination ?? plan.batchId}/`);
    printPlan(out, folder, plan);
  }
}
