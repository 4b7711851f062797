import { SignInInfoSchema, type SignInInfo } from '@hoist/signer-server/protocol';
import type { SignInStore } from './credentials';
import { refreshSignIn } from './provider';

/** How long before its expiry an access token is refreshed rather than sent. */
const EARLY_MS = 60_000;

/** The signer's origin, the key its sign-in is kept under. */
export const originOf = (signerUrl: string): string => new URL(signerUrl).origin;

/** How to sign in to the signer at `signerUrl` (GET /v1/sign-in), or why it cannot be asked. */
export async function signInInfo(signerUrl: string): Promise<NonNullable<SignInInfo['oidc']>> {
  let answer: Response;
  try {
    answer = await fetch(new URL('/v1/sign-in', signerUrl), { signal: AbortSignal.timeout(10_000) });
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
): Promise<{ token: string; refresh: () => Promise<string> } | undefined> {
  const origin = originOf(signerUrl);
  let current = store.get(origin);
  if (!current) return undefined;
  const refresh = async (): Promise<string> => {
    current = await refreshSignIn(current!);
    store.set(origin, current);
    return current.accessToken;
  };
  if (current.expiresAt - Date.now() < EARLY_MS) await refresh();
  return { token: current.accessToken, refresh };
}
