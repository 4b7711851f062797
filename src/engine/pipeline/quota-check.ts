import { formatBytes, type QuotaStatus } from '@hoist/protocol';

const count = (n: number): string => `${n.toLocaleString('en-US')} file${n === 1 ? '' : 's'}`;

/**
 * Each quota a planned upload goes past, in words: the quota, what the batch needs, what is left and when
 * it resets; the signer will refuse the files past it.
 */
export function quotaShortfalls(
  quotas: readonly QuotaStatus[] | undefined,
  upload: { files: number; bytes: number },
): string[] {
  const out: string[] = [];
  for (const quota of quotas ?? []) {
    const bytes = quota.name === 'bytesPerDay';
    const need = bytes ? upload.bytes : upload.files;
    if (need <= quota.remaining) continue;
    const show = bytes ? formatBytes : count;
    const resets = quota.resetsAt ? `; it resets at ${quota.resetsAt}` : '';
    out.push(
      `Over your quota of ${quota.description}: this batch needs ${show(need)}, ${show(quota.remaining)} left${resets}; the signer will refuse the files past it`,
    );
  }
  return out;
}
