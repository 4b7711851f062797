import * as client from 'openid-client';
import { isLoopbackHost, type SignInInfo } from '@hoist/protocol';
import type { SmallFetch } from '../engine';
import { SignInError } from './sign-in-error';
import type { SignedIn } from './credentials';

type OidcInfo = NonNullable<SignInInfo['oidc']>;

/**
 * The provider's endpoints by discovery; plain http only for a provider on this machine. With `fetch`,
 * every exchange with the provider goes through it (the engine's proxy and trusted CAs).
 */
export async function discoverProvider(
  oidc: Pick<OidcInfo, 'issuer' | 'clientId'>,
  fetch?: SmallFetch,
): Promise<client.Configuration> {
  const issuer = new URL(oidc.issuer);
  const local = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  return client.discovery(issuer, oidc.clientId, undefined, client.None(), {
    ...(local ? { execute: [client.allowInsecureRequests] } : {}),
    ...(fetch ? { [client.customFetch]: fetch } : {}),
  });
}

/**
 * The parameters that ask for a token meant for this signer and no other: its own origin, the one the
 * client talks to, as an RFC 8707 resource (`signInInfo` has checked that the signer names it).
 */
export function audienceParameters(oidc: OidcInfo, signerOrigin: string): Record<string, string> {
  return { scope: oidc.scopes.join(' '), resource: signerOrigin };
}

/**
 * What to keep of a token answer for the signer at `signer` (its origin), the refresh token carried over
 * when the provider sent no new one.
 */
export function signedInFrom(
  oidc: Pick<OidcInfo, 'issuer' | 'clientId'>,
  signer: string | undefined,
  tokens: client.TokenEndpointResponse,
  previousRefreshToken?: string,
): SignedIn {
  const refreshToken = tokens.refresh_token ?? previousRefreshToken;
  return {
    ...(signer ? { signer } : {}),
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: Date.now() + (tokens.expires_in ?? 300) * 1000,
  };
}

/** A new access token from the refresh token; throws with what to do when the provider refuses it. */
export async function refreshSignIn(signedIn: SignedIn, fetch?: SmallFetch): Promise<SignedIn> {
  if (!signedIn.refreshToken)
    throw new SignInError('sign-in-expired', 'The sign-in has expired and cannot be refreshed');
  const config = await discoverProvider(signedIn, fetch);
  try {
    const tokens = await client.refreshTokenGrant(config, signedIn.refreshToken);
    return signedInFrom(signedIn, signedIn.signer, tokens, signedIn.refreshToken);
  } catch (error) {
    throw new SignInError(
      'refresh-refused',
      `The identity provider refused to refresh the sign-in (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** Revokes the sign-in's refresh token at the provider, when it has one and the provider can; never throws. */
export async function revokeSignIn(signedIn: SignedIn, fetch?: SmallFetch): Promise<boolean> {
  if (!signedIn.refreshToken) return false;
  try {
    const config = await discoverProvider(signedIn, fetch);
    if (!config.serverMetadata().revocation_endpoint) return false;
    await client.tokenRevocation(config, signedIn.refreshToken, { token_type_hint: 'refresh_token' });
    return true;
  } catch {
    // The tokens are forgotten already; a provider that cannot revoke lets the refresh token expire.
    return false;
  }
}
