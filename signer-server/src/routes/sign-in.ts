import Router from '@koa/router';
import type { SignerConfig } from '../config';
import type { SignInInfo } from '@hoist/protocol';

/** GET /v1/sign-in: the OpenID provider and public client a person signs in with, before they hold a token. */
export function signInRoutes(config: SignerConfig): Router {
  const router = new Router();
  const oidc = config.oidc;
  const info: SignInInfo = {
    oidc: oidc ? { issuer: oidc.issuer, clientId: oidc.clientId, audience: oidc.audience, scopes: oidc.scopes } : null,
  };
  router.get('/v1/sign-in', (ctx) => {
    ctx.body = info;
  });
  return router;
}
