import { join } from 'node:path';
import type { LocalStack } from '@hoist/signer-server/local-stack';
import { UploadEngine } from '../../engine';
import { RATE_UNITS } from '../../shared/engine-limits';
import type { Settings } from './settings-store';

let embedded: Promise<LocalStack> | undefined;

/**
 * The engine for `settings`: their signer when one is set, else the embedded local signer and store,
 * started once per process; `onQuit` receives the function that stops it.
 */
export async function startEngine(
  settings: Settings,
  stateDir: string,
  onQuit: (stop: () => void) => void,
): Promise<UploadEngine> {
  const common = {
    stateDir,
    concurrency: settings.concurrency,
    ...(settings.bandwidthMiBps ? { bandwidth: Math.round(settings.bandwidthMiBps * RATE_UNITS.m) } : {}),
  };
  if (settings.signerUrl) {
    if (!settings.token) throw new Error('No token: paste the token your signer gave you in Settings');
    return new UploadEngine({ ...common, signerUrl: settings.signerUrl, token: settings.token });
  }
  embedded ??= import('@hoist/signer-server/local-stack').then(async ({ startLocalStack }) => {
    const stack = await startLocalStack(join(stateDir, 'local', 's3'), { logLevel: 'silent' });
    onQuit(() => void stack.stop());
    return stack;
  });
  const stack = await embedded;
  return new UploadEngine({ ...common, signerUrl: stack.signerUrl, signerId: 'embedded', token: stack.token });
}
