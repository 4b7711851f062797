import type { FolderPlan } from '../../engine';
import type { PlanSummary, ReasonGroup } from '../../shared/desktop';
import type { FileOutcome } from '../../shared/outcome';
import { readableReason } from './readable-reason';

/** Conflicts the plan names, each with its reason. */
const CONFLICT_EXAMPLES = 3;

const bytesOf = (files: readonly { size: number }[]): number => files.reduce((sum, f) => sum + f.size, 0);

/** Files grouped by their code, in the order first met, each group with its first file's reason and path. */
function byReason(files: readonly FileOutcome[], fallback: string, base?: string): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const file of files) {
    const code = file.code ?? fallback;
    const group = groups.get(code);
    if (group) group.files += 1;
    else groups.set(code, { code, reason: readableReason(file.reason ?? code, base), files: 1, example: file.path });
  }
  return [...groups.values()];
}

/**
 * What the window shows of a plan: counts and bytes, refusals and skips grouped by reason with an
 * example, a few conflicts; keys in reasons named inside `base`, the batch's folder in the bucket.
 */
export function summarise(plan: FolderPlan, overwriteAllowed: boolean, base?: string): PlanSummary {
  return {
    upload: { files: plan.upload.files, bytes: plan.upload.bytes },
    alreadyThere: { files: plan.alreadyThere.length, bytes: bytesOf(plan.alreadyThere) },
    conflicts: {
      files: plan.conflicts.length,
      bytes: bytesOf(plan.conflicts),
      examples: plan.conflicts
        .slice(0, CONFLICT_EXAMPLES)
        .map((c) => ({ path: c.path, reason: readableReason(c.reason ?? '', base), here: c.here, there: c.there })),
    },
    overwriteAllowed,
    rejected: { files: plan.rejected.length, reasons: byReason(plan.rejected, 'rejected', base) },
    skipped: { files: plan.skipped.length, reasons: byReason(plan.skipped, 'skipped', base) },
    unreadable: { files: plan.failed.length },
    quotas: plan.quotas,
  };
}
