import { describe, expect, it } from 'vitest';
import { actionsFor, canConfigure, PHASE_ACTIONS } from '../../src/shared/batch-actions';
import type { BatchPhase } from '../../src/shared/desktop';
import type { BatchProgress } from '../../src/shared/progress';

// One table says what each phase allows; the service refuses anything else and the card shows exactly it.
const withFailures = (failed: number) => ({ files: { failed } }) as unknown as BatchProgress;

describe('what a batch allows in each phase', () => {
  it('lets a batch being planned be discarded, as the card offers', () => {
    expect(actionsFor({ phase: 'planning' })).toEqual(['cancel']);
  });

  it('offers Retry failed after a run only when a file failed, and Try again after a failed batch', () => {
    expect(actionsFor({ phase: 'done', progress: withFailures(0) })).toEqual(['remove']);
    expect(actionsFor({ phase: 'done', progress: withFailures(2) })).toEqual(['retryFailed', 'remove']);
    expect(actionsFor({ phase: 'error' })).toEqual(['retryFailed', 'remove']);
  });

  it('lets where a batch goes change only before it starts, or after it failed before any file moved', () => {
    const phases = Object.keys(PHASE_ACTIONS) as BatchPhase[];
    expect(phases.filter((phase) => canConfigure({ phase }))).toEqual(['planning', 'ready', 'error']);
    expect(canConfigure({ phase: 'error', progress: withFailures(1) })).toBe(false);
  });

  it('never lets a running batch be removed or started again', () => {
    for (const phase of ['uploading', 'paused'] as const) {
      expect(actionsFor({ phase })).not.toContain('remove');
      expect(actionsFor({ phase })).not.toContain('start');
    }
  });
});
