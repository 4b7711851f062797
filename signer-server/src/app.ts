import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import type Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import ratelimit from 'koa-ratelimit';
import { pino, type Logger } from 'pino';
import { authenticate, hashedTokenVerifier, verifierChain, type Caller, type TokenVerifier } from './auth';
import { BucketUrls } from './bucket-urls';
import type { SignerConfig } from './config';
import type { SignerDeps } from './deps';
import { authFailureLimit } from './middleware/auth-failures';
import { bodyParseError, errorBodies } from './middleware/errors';
import { requestLog } from './middleware/request-log';
import { batchRoutes } from './routes/batches';
import { destinationRoutes } from './routes/destinations';
import { healthRoutes } from './routes/health';
import { linkRoutes } from './routes/links';
import { multipartRoutes } from './routes/multipart';
import { openApiRoutes } from './routes/openapi';
import { policyRoutes } from './routes/policy';
import { Storage } from './storage';
import { secretBytes } from './secret';
import { OidcVerifier } from './identity/oidc-verifier';
import { signInRoutes } from './routes/sign-in';
import { UploadTokens } from './upload-token';

/** What `createApp` may be given instead of its defaults (tests pass a logger or storage). */
export interface AppOptions {
  logger?: Logger;
  storage?: Storage;
  verifier?: TokenVerifier;
}

const mount = (app: Koa, router: Router): void => {
  app.use(router.routes()).use(router.allowedMethods());
};

/** A fixed-window limiter answering 429 with Retry-After once `max` requests with one id came in `windowMs`. */
const limiter = (max: number, windowMs: number, id: (ctx: Koa.Context) => string): Koa.Middleware =>
  ratelimit({
    driver: 'memory',
    db: new Map(),
    duration: windowMs,
    max,
    id,
    errorMessage: 'Too many requests; retry after the seconds in Retry-After',
    throw: true,
  });

/** The secrets that verify upload tokens, the signing one first. */
const tokenSecrets = (config: SignerConfig): Buffer[] =>
  [config.tokenSecret, config.previousTokenSecret].flatMap((text) => (text ? [secretBytes(text)!] : []));

/** Static tokens, then the OpenID provider's access tokens when the config names one. */
const verifierFor = (config: SignerConfig): TokenVerifier =>
  verifierChain([
    hashedTokenVerifier(config.users),
    ...(config.oidc
      ? [
          new OidcVerifier(
            config.oidc,
            config.users.map((user) => user.prefix),
          ),
        ]
      : []),
  ]);

/**
 * Composes the signer: logs, errors, headers, CORS, health, then limits per client address (requests,
 * failed sign-ins), auth, a limit per caller, body limits and the API.
 */
export function createApp(config: SignerConfig, options: AppOptions = {}): Koa {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const deps: SignerDeps = {
    config,
    storage: options.storage ?? new Storage(config.s3),
    urls: new BucketUrls({ ...config.s3, endpoint: config.s3.publicEndpoint ?? config.s3.endpoint }),
    tokens: new UploadTokens(tokenSecrets(config)),
  };
  // Behind a TLS proxy the client's address is the last one the proxy appended to X-Forwarded-For.
  const app = new Koa({ proxy: config.behindTlsProxy, maxIpsCount: 1 });
  app.silent = true;
  app.use(requestLog(logger));
  app.use(errorBodies(logger));
  app.use(helmet());
  if (config.corsOrigins.length) {
    const allowed = new Set(config.corsOrigins);
    app.use(
      cors({
        origin: (ctx) => (allowed.has(ctx.get('origin')) ? ctx.get('origin') : ''),
        allowHeaders: ['authorization', 'content-type'],
        maxAge: 600,
      }),
    );
  }
  mount(app, healthRoutes(deps));
  mount(app, openApiRoutes());
  const { max, addressMax, authFailureMax, windowMs } = config.rateLimit;
  app.use(limiter(addressMax, windowMs, (ctx) => ctx.ip));
  app.use(authFailureLimit(authFailureMax, windowMs));
  mount(app, signInRoutes(config));
  app.use(authenticate(options.verifier ?? verifierFor(config)));
  app.use(limiter(max, windowMs, (ctx) => (ctx.state.caller as Caller).id));
  const limit = config.policy.maxBodyBytes;
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: limit,
      encoding: 'utf-8',
      onError: (error) => {
        throw bodyParseError(error, limit);
      },
    }),
  );
  mount(app, policyRoutes(deps));
  mount(app, batchRoutes(deps));
  mount(app, destinationRoutes(deps));
  mount(app, multipartRoutes(deps));
  mount(app, linkRoutes(deps));
  return app;
}
