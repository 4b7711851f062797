import type { Policy } from '@hoist/protocol';
import { formatBytes } from '../shared/progress';
import type { AskOutput, SignerSession } from './ask-signer';

/** `image/*, video/*, application/pdf` or `anything the signer's defaults allow`. */
const typesText = (types: readonly string[]): string => (types.length ? types.join(', ') : 'none');

/** `10 GB a day: 9.2 GB left, resets 2026-12-06T08:00:00Z`, one per quota. */
function quotaLines(policy: Policy): string[] {
  return (policy.quotas ?? []).map((quota) => {
    const left = quota.name === 'bytesPerDay' ? formatBytes(quota.remaining) : `${quota.remaining} files`;
    return `${quota.description}: ${left} left${quota.resetsAt ? `, resets ${quota.resetsAt}` : ''}`;
  });
}

/** The lines `hoist status` prints: the signer, who you are there, and what you may do. */
export function statusLines(url: string, version: string | undefined, policy: Policy): string[] {
  const label = (name: string, value: string) => `${`${name}:`.padEnd(14)}${value}`;
  return [
    label('signer', `${url} (${version ? `version ${version}` : 'version not given'}), reachable`),
    label('user', policy.user),
    label('prefix', `${policy.prefix}/`),
    label('folders', policy.destinations?.length ? `only ${policy.destinations.join(', ')}` : 'any inside your prefix'),
    label('types', typesText(policy.allowedTypes)),
    label('largest file', formatBytes(policy.maxFileSize)),
    label(
      'in parts',
      policy.multipartThreshold < policy.maxFileSize
        ? `above ${formatBytes(policy.multipartThreshold)}, ${formatBytes(policy.partSize)} each`
        : 'never: one PUT per file',
    ),
    label('replacing', policy.overwrite ? 'allowed (--on-conflict overwrite)' : 'not allowed'),
    label('view links', `last ${Math.round(policy.viewUrlTtlSeconds / 60)} min`),
    ...quotaLines(policy).map((line) => label('quota', line)),
  ];
}

/** `hoist status`: asks the signer who we are and what we may do, and prints it; the signer's URL, reachability and version first. */
export async function status(session: SignerSession, out: AskOutput): Promise<void> {
  const [version, policy] = await Promise.all([session.signer.version(), session.signer.policy()]);
  const url = session.connection.embedded ? 'the embedded local signer' : session.connection.signerUrl;
  out.answer(statusLines(url, version, policy).join('\n'), 'status', {
    signer: { url: session.connection.signerUrl, embedded: session.connection.embedded, version: version ?? null },
    policy,
  });
}
