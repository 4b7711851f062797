import * as client from 'openid-client';
import type { SignInStore, SignedIn } from './credentials';
import { audienceParameters, discoverProvider, revokeSignIn, signedInFrom } from './provider';
import { originOf, signInInfo } from './signer-sign-in';
import type { SmallFetch } from '../engine';

/** What the device flow shows the person: where to go and the code to enter there. */
export interface DevicePrompt {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresInSeconds: number;
}

/**
 * Signs in with the OAuth device authorization flow against the provider the signer names: shows the
 * person a URL and a code, waits for them to approve, and keeps the tokens for this signer.
 */
export async function deviceSignIn(
  signerUrl: string,
  store: SignInStore,
  show: (prompt: DevicePrompt) => void,
  fetch?: SmallFetch,
  signal?: AbortSignal,
): Promise<SignedIn> {
  const oidc = await signInInfo(signerUrl, fetch);
  const config = await discoverProvider(oidc, fetch);
  const started = await client.initiateDeviceAuthorization(config, audienceParameters(oidc, originOf(signerUrl)));
  show({
    verificationUri: started.verification_uri,
    ...(started.verification_uri_complete ? { verificationUriComplete: started.verification_uri_complete } : {}),
    userCode: started.user_code,
    expiresInSeconds: started.expires_in,
  });
  const tokens = await client.pollDeviceAuthorizationGrant(config, started, undefined, signal ? { signal } : {});
  const signedIn = signedInFrom(oidc, originOf(signerUrl), tokens);
  store.set(originOf(signerUrl), signedIn);
  return signedIn;
}

/** Forgets the sign-in for the signer, and revokes its refresh token at the provider when it can. */
export async function signOut(signerUrl: string, store: SignInStore, fetch?: SmallFetch): Promise<boolean> {
  const gone = store.delete(originOf(signerUrl));
  if (!gone) return false;
  await revokeSignIn(gone, fetch);
  return true;
}
