import { readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LocalStack } from '@hoist/signer-server/local-stack';
import { makePrivateDir } from '../engine';

/** The folder of the embedded signer and store inside a state folder: one for the CLI and the desktop. */
export const embeddedDir = (stateDir: string): string => join(stateDir, 'local');

/** The embedded signer's token alone, for `--token-file` when pushing to `hoist serve`. */
export const embeddedTokenFile = (stateDir: string): string => join(embeddedDir(stateDir), 'token');

/**
 * Starts the embedded signer and store (s3rver) on this machine, for running Hoist with no signer of
 * one's own. Its development token and secret are kept beside its data (0600), so a batch interrupted
 * in one run resumes in the next, whichever front end started it.
 */
export async function startEmbeddedStack(stateDir: string, signerPort?: number): Promise<LocalStack> {
  const dataDir = embeddedDir(stateDir);
  makePrivateDir(dataDir);
  const secretsFile = join(dataDir, 'local-signer.json');
  let saved: { token?: string; tokenSecret?: string };
  try {
    saved = JSON.parse(await readFile(secretsFile, 'utf8')) as typeof saved;
  } catch {
    saved = {
      token: `hoist_dev_${randomBytes(24).toString('base64url')}`,
      tokenSecret: randomBytes(32).toString('base64url'),
    };
  }
  // Loaded only here: the embedded signer and store pull in Koa, s3rver and the AWS SDK.
  const { startLocalStack } = await import('@hoist/signer-server/local-stack');
  const stack = await startLocalStack(join(dataDir, 's3'), {
    ...saved,
    logLevel: 'silent',
    ...(signerPort === undefined ? {} : { signerPort }),
  });
  await writeFile(secretsFile, JSON.stringify({ token: stack.token, tokenSecret: stack.tokenSecret }), { mode: 0o600 });
  await writeFile(embeddedTokenFile(stateDir), `${stack.token}\n`, { mode: 0o600 });
  return stack;
}
