import * as client from 'openid-client';
import { isLoopbackHost, type SignInInfo } from '@hoist/signer-server/protocol';
import type { SignedIn } from './credentials';

type OidcInfo = NonNullable<SignInInfo['oidc']>;

/** The provider's endpoints by discovery; plain http only for a provider on this machine. */
export async function discoverProvider(oidc: Pick<OidcInfo, 'issuer' | 'clientId'>): Promise<client.Configuration> {
  const issuer = new URL(oidc.issuer);
  const local = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  return client.discovery(issuer, oidc.clientId, undefined, client.None(), {
    ...(local ? { execute: [client.allowInsecureRequests] } : {}),
  });
}

/** The parameters that ask for a token meant for this signer: its audience as an RFC 8707 resource. */
export function audienceParameters(oidc: OidcInfo): Record<string, string> {
  const params: Record<string, string> = { scope: oidc.scopes.join(' ') };
  if (URL.canParse(oidc.audience)) params.resource = oidc.audience;
  return params;
}

/** What to keep of a token answer, the refresh token carried over when the provider sent no new one. */
export function signedInFrom(
  oidc: Pick<OidcInfo, 'issuer' | 'clientId'>,
  tokens: client.TokenEndpointResponse,
  previousRefreshToken?: string,
): SignedIn {
  const refreshToken = tokens.refresh_token ?? previousRefreshToken;
  return {
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    accessToken: tokens.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    expiresAt: Date.now() + (tokens.expires_in ?? 300) * 1000,
  };
}

/** A new access token from the refresh token; throws with what to do when the provider refuses it. */
export async function refreshSignIn(signedIn: SignedIn): Promise<SignedIn> {
  if (!signedIn.refreshToken)
    throw new Error('The sign-in has expired and cannot be refreshed; run `hoist login` again');
  const config = await discoverProvider(signedIn);
  try {
    const tokens = await client.refreshTokenGrant(config, signedIn.refreshToken);
    return signedInFrom(signedIn, tokens, signedIn.refreshToken);
  } catch (error) {
    throw new Error(
      `The identity provider refused to refresh the sign-in (${(error as Error).message}); run \`hoist login\` again`,
      {
        cause: error,
      },
    );
  }
}
