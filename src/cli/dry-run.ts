import { resolve } from 'node:path';
import type { UploadEngine } from '../engine';
import type { Reporter } from './output';
import { destinationFor, planOptions, type PushOptions } from './push-options';

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
    out.plan(folder, { prefix, folder: plan.destination ?? plan.batchId }, plan);
  }
}
