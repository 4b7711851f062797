import { SignInInfoSchema, type SignInInfo } from '@hoist/protocol';
import type { SmallFetch } from '../engine';
import type { SignedIn, SignInStore } from './credentials';
import { SignInError } from './sign-in-error';
import { refreshSignIn } from './provider';

/** How long before its expiry an access token is refreshed rather than sent. */
const EARLY_MS = 60_000;

/** The signer's origin, the key its sign-in is kept under. */
export const originOf = (signerUrl: string): string => new URL(signerUrl).origin;

/**
 * How to sign in to the signer at `signerUrl` (GET /v1/sign-in), or why it cannot be asked. A signer whose
 * sign-in names another signer as the audience is refused: it could be relaying that signer's sign-in to
 * obtain a token the other accepts.
 */
export async function signInInfo(signerUrl: string, fetchImpl?: SmallFetch): Promise<NonNullable<SignInInfo['oidc']>> {
  let answer: Response;
  try {
    const url = new URL('/v1/sign-in', signerUrl).href;
    const signal = AbortSignal.timeout(10_000);
    answer = await (fetchImpl ? fetchImpl(url, { signal }) : fetch(url, { signal }));
  } catch (error) {
    throw new SignInError(
      'signer-unreachable',
      `Cannot reach the signer at ${signerUrl}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const parsed = answer.ok ? SignInInfoSchema.safeParse(await answer.json().catch(() => undefined)) : undefined;
  if (!parsed?.success)
    throw new SignInError(
      'no-sign-in-info',
      `The signer at ${signerUrl} does not say how to sign in (GET /v1/sign-in answered ${answer.status})`,
    );
  if (!parsed.data.oidc) {
    throw new SignInError(
      'tokens-only',
      `The signer at ${signerUrl} takes no sign-in, only tokens its admin hands out`,
    );
  }
  const named = URL.canParse(parsed.data.oidc.audience) ? new URL(parsed.data.oidc.audience).origin : undefined;
  if (named !== originOf(signerUrl)) {
    throw new SignInError(
      'audience-mismatch',
      `The signer at ${originOf(signerUrl)} describes a sign-in for \`${parsed.data.oidc.audience}\`, not for itself: ` +
        'refusing it, since a token for another signer must not pass through this one',
    );
  }
  return parsed.data.oidc;
}

/** An access token to send and how to get a fresh one: what a front end hands the engine. */
export interface TokenSession {
  token: string;
  refresh: () => Promise<string>;
}

/**
 * The sign-in's access token, refreshed first when it is about to expire, with a `refresh` that gets a
 * new one when the signer refuses it mid-run; `keep` stores each refreshed sign-in.
 */
export async function tokenSession(
  signedIn: SignedIn,
  keep: (signedIn: SignedIn) => void,
  fetch?: SmallFetch,
): Promise<TokenSession> {
  let current = signedIn;
  const refresh = async (): Promise<string> => {
    current = await refreshSignIn(current, fetch);
    keep(current);
    return current.accessToken;
  };
  if (current.expiresAt - Date.now() < EARLY_MS) await refresh();
  return { token: current.accessToken, refresh };
}

/** The stored sign-in's token session for the signer; undefined when the person never signed in to it. */
export async function signedInToken(
  signerUrl: string,
  store: SignInStore,
  fetch?: SmallFetch,
): Promise<TokenSession | undefined> {
  const origin = originOf(signerUrl);
  const stored = store.get(origin);
  return stored ? tokenSession(stored, (fresh) => store.set(origin, fresh), fetch) : undefined;
}
