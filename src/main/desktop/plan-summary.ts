import type { FolderPlan } from '../../engine';
import type { PlanSummary } from '../../shared/desktop';
import { readableReason } from './readable-reason';

/** Conflicts the plan names, each with its reason. */
const CONFLICT_EXAMPLES = 3;

const bytesOf = (files: readonly { size: number }[]): number => files.reduce((sum, f) => sum + f.size, 0);

/**
 * What the window shows of a plan: counts and bytes, refusals grouped by reason with an example, a few
 * conflicts; keys in reasons named inside `base`, the batch's folder in the bucket.
 */
export function summarise(plan: FolderPlan, overwriteAllowed: boolean, base?: string): PlanSummary {
  const reasons = new Map<string, PlanSummary['rejected']['reasons'][number]>();
  for (const file of plan.rejected) {
    const code = file.code ?? 'rejected';
    const group = reasons.get(code);
    if (group) group.files += 1;
    else reasons.set(code, { code, reason: readableReason(file.reason ?? code, base), files: 1, example: file.path });
  }
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
    rejected: { files: plan.rejected.length, reasons: [...reasons.values()] },
    skipped: { files: plan.skipped.length },
    unreadable: { files: plan.failed.length },
    quotas: plan.quotas,
  };
}
