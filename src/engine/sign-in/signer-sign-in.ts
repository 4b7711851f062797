import { SignInInfoSchema, type SignInInfo } from '@hoist/protocol';
import type { SmallFetch } from '../transfer/fetch-through';
import type { SignInStore } from './credentials';
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
    throw new Error(`Cannot reach the signer at ${signerUrl}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = answer.ok ? SignInInfoSchema.safeParse(await answer.json().catch(() => undefined)) : undefined;
  if (!parsed?.success)
    throw new Error(
      `The signer at ${signerUrl} does not say how to sign in (GET /v1/sign-in answered ${answer.status})`,
    );
  if (!parsed.data.oidc) {
    throw new Error(
      `The signer at ${signerUrl} takes no sign-in, only tokens its admin hands out: use --token-file or HOIST_TOKEN`,
    );
  }
  const named = URL.canParse(parsed.data.oidc.audience) ? new URL(parsed.data.oidc.audience).origin : undefined;
  if (named !== originOf(signerUrl)) {
    throw new Error(
      `The signer at ${originOf(signerUrl)} describes a sign-in for \`${parsed.data.oidc.audience}\`, not for itself: ` +
        'refusing it, since a token for another signer must not pass through this one',
    );
  }
  return parsed.data.oidc;
}

/**
 * The stored sign-in's access token for the signer, refreshed first when it is about to expire, with a
 * `refresh` that gets a new one (and keeps it) when the signer refuses it mid-run; undefined when the
 * person never signed in to this signer.
 */
export async function signedInToken(
  signerUrl: string,
  store: SignInStore,
  fetch?: SmallFetch,
): Promise<{ token: string; refresh: () => Promise<string> } | undefined> {
  const origin = originOf(signerUrl);
  let current = store.get(origin);
  if (!current) return undefined;
  const refresh = async (): Promise<string> => {
    current = await refreshSignIn(current!, fetch);
    store.set(origin, current);
    return current.accessToken;
  };
  if (current.expiresAt - Date.now() < EARLY_MS) await refresh();
  return { token: current.accessToken, refresh };
}
