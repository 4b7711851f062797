import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import type Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import ratelimit from 'koa-ratelimit';
import { pino, type Logger } from 'pino';
import { authenticate, hashedTokenVerifier, type Caller, type TokenVerifier } from './auth';
import { BucketUrls } from './bucket-urls';
import type { SignerConfig } from './config';
import type { SignerDeps } from './deps';
import { bodyParseError, errorBodies } from './middleware/errors';
import { requestLog } from './middleware/request-log';
import { batchRoutes } from './routes/batches';
import { healthRoutes } from './routes/health';
import { multipartRoutes } from './routes/multipart';
import { openApiRoutes } from './routes/openapi';
import { policyRoutes } from './routes/policy';
import { Storage } from './storage';
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

/** Composes the signer: errors, logs, headers, CORS, health, then auth, rate limit, body limits and the API. */
export function createApp(config: SignerConfig, options: AppOptions = {}): Koa {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined });
  const deps: SignerDeps = {
    config,
    storage: options.storage ?? new Storage(config.s3),
    urls: new BucketUrls(config.s3),
    tokens: new UploadTokens(config.tokenSecret),
  };
  const app = new Koa({ proxy: false });
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
  app.use(authenticate(options.verifier ?? hashedTokenVerifier(config.users)));
  app.use(
    ratelimit({
      driver: 'memory',
      db: new Map(),
      duration: config.rateLimit.windowMs,
      max: config.rateLimit.max,
      id: (ctx) => (ctx.state.caller as Caller).id,
      errorMessage: 'Too many requests; retry after the seconds in Retry-After',
      throw: true,
    }),
  );
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
  mount(app, multipartRoutes(deps));
  return app;
}
