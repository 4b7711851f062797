import { resolve } from 'node:path';
import type { FolderPlan, UploadEngine } from '../engine';
import type { Reporter } from './output';
import { planOptions, type PushOptions } from './push-options';

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

/** `--dry-run`: plans each folder and prints what would upload, be rejected or skipped; no byte moves. */
export async function dryRun(
  engine: UploadEngine,
  folders: string[],
  options: PushOptions,
  out: Reporter,
): Promise<void> {
  for (const folder of folders) printPlan(out, folder, await engine.plan(resolve(folder), planOptions(options)));
}
