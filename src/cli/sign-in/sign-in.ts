import * as client from 'openid-client';
import type { SignInStore, SignedIn } from '../../engine/sign-in/credentials';
import { audienceParameters, discoverProvider, signedInFrom } from '../../engine/sign-in/provider';
import { originOf, signInInfo } from '../../engine/sign-in/signer-sign-in';

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
  signal?: AbortSignal,
): Promise<SignedIn> {
  const oidc = await signInInfo(signerUrl);
  const config = await discoverProvider(oidc);
  const started = await client.initiateDeviceAuthorization(config, audienceParameters(oidc));
  show({
    verificationUri: started.verification_uri,
    ...(started.verification_uri_complete ? { verificationUriComplete: started.verification_uri_complete } : {}),
    userCode: started.user_code,
    expiresInSeconds: started.expires_in,
  });
  const tokens = await client.pollDeviceAuthorizationGrant(config, started, undefined, signal ? { signal } : {});
  const signedIn = signedInFrom(oidc, tokens);
  store.set(originOf(signerUrl), signedIn);
  return signedIn;
}

/** Forgets the sign-in for the signer, and revokes its refresh token at the provider when it can. */
export async function signOut(signerUrl: string, store: SignInStore): Promise<boolean> {
  const gone = store.delete(originOf(signerUrl));
  if (!gone) return false;
  try {
    const config = await discoverProvider(gone);
    if (gone.refreshToken && config.serverMetadata().revocation_endpoint) {
      await client.tokenRevocation(config, gone.refreshToken, { token_type_hint: 'refresh_token' });
    }
  } catch {
    // The tokens are forgotten here already; a provider that cannot revoke lets the refresh token expire.
  }
  return true;
}
