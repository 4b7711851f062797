import type { LocalStack } from '@hoist/signer-server/local-stack';
import { startEmbeddedStack } from '../embedded/embedded-stack';
import { signedInToken, signInFetch, SignInStore, signInPath } from '../sign-in';
import type { Reporter } from './output';
import type { Connection, PushOptions } from './push-options';

/** What finding a signer needs: the signer and token flags, the state folder, the CA file. */
export type ConnectOptions = Pick<PushOptions, 'signer' | 'token' | 'tokenFile' | 'stateDir' | 'caFile'>;

/** Where connecting says what it did or could not do. */
export type Notes = Pick<Reporter, 'info' | 'warning' | 'error'>;
import { resolveSigner } from './settings';

/** A push's way to its signer, and the embedded stack to stop afterwards when it started one. */
export interface Connected {
  connection: Connection;
  stack?: LocalStack;
}

/**
 * Finds the signer and the token to send it: the flags, the environment and the settings file, else a
 * stored sign-in for that signer; with no signer at all, the embedded signer and store. Undefined (and a
 * error saying what to do) when a signer is named but no token is to be had.
 */
export async function connect(
  options: ConnectOptions,
  env: NodeJS.ProcessEnv,
  out: Notes,
): Promise<Connected | undefined> {
  const { signer, token: given, fromFlag } = resolveSigner(options, env);
  if (fromFlag) out.warning('--token shows in `ps` and in shell history; prefer --token-file or HOIST_TOKEN');
  if (!signer) {
    const stack = await startEmbeddedStack(options.stateDir);
    return { connection: { signerUrl: stack.signerUrl, token: given ?? stack.token, embedded: true }, stack };
  }
  const signedIn = given
    ? undefined
    : await signedInToken(signer, new SignInStore(signInPath(env)), signInFetch({ caFile: options.caFile }));
  const token = given ?? signedIn?.token;
  if (!token) {
    out.error('No token: run `hoist login`, pass --token-file, set HOIST_TOKEN, or put "token" in the settings file');
    return undefined;
  }
  return {
    connection: { signerUrl: signer, token, ...(signedIn ? { refreshToken: signedIn.refresh } : {}), embedded: false },
  };
}
