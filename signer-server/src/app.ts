import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import type Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import type { Logger } from 'pino';
import { StoreGuard, type StoreGuardOptions } from './access/store-guard';
import { scheduleSweeps, sweepStaleUploads } from './access/upload-sweeper';
import { templateRoot } from './identity/claim-prefix';
import {
  authenticate,
  hashedTokenVerifier,
  UserDirectory,
  verifierChain,
  type Caller,
  type TokenVerifier,
} from './auth';
import type { UserConfig } from './config';
import { BucketUrls } from './bucket-urls';
import type { SignerConfig } from './config';
import type { SignerDeps } from './deps';
import { authFailureLimit } from './middleware/auth-failures';
import { bodyParseError, errorBodies } from './middleware/errors';
import { forwardedWarning, requestIds, requestLog } from './middleware/request-log';
import { signerLogger } from './observability/logger';
import { addressKey } from './limits/client-address';
import { batchRoutes } from './routes/batches';
import { destinationRoutes } from './routes/destinations';
import { folderRoutes } from './routes/folders';
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
import { memoryCounters, redisCounters, type CounterFactory } from './limits/counters';
import { Quotas } from './limits/quotas';
import { rateLimit } from './limits/rate-limit';
import { closeRedis, connectRedis, redisReady } from './limits/redis-connection';
import { Audit } from './observability/audit';
import { SignerMetrics } from './observability/metrics';
import { metricsRoutes } from './routes/metrics';

/** What `createApp` may be given instead of its defaults (tests pass a logger, storage or the sessions' clock). */
export interface AppOptions {
  logger?: Logger;
  storage?: Storage;
  verifier?: TokenVerifier;
  guard?: StoreGuardOptions;
}

const mount = (app: Koa, router: Router): void => {
  app.use(router.routes()).use(router.allowedMethods());
};

/**
 * The signer's Koa app, when it is ready to answer (Redis connected, credentials settled, the store
 * probed), and what to release when it stops.
 */
export type SignerApp = Koa & {
  ready(): Promise<void>;
  closeResources(): Promise<void>;
  /** Puts `users` in place of the configured ones (a reload on SIGHUP). */
  reloadUsers(users: readonly UserConfig[]): void;
  /** From now on /readyz answers 503, so load balancers stop sending requests before the server stops. */
  drain(): void;
};

/** The secrets that verify upload tokens, the signing one first. */
const tokenSecrets = (config: SignerConfig): Buffer[] =>
  [config.tokenSecret, config.previousTokenSecret].flatMap((text) => (text ? [secretBytes(text)!] : []));

/**
 * Where the signer creates multipart uploads it can name: each static user's prefix and the folder a
 * template puts signed-in users under (users whose folder a claim names are left to a lifecycle rule).
 */
function sweptPrefixes(config: SignerConfig, users: readonly UserConfig[]): string[] {
  const root = config.oidc && !config.oidc.prefixClaim ? templateRoot(config.oidc.prefixTemplate) : '';
  return [...users.map((user) => user.prefix), ...(root ? [root] : [])];
}

/** Static tokens, then the OpenID provider's access tokens when the config names one. */
const verifierFor = (config: SignerConfig, directory: UserDirectory): TokenVerifier =>
  verifierChain([
    hashedTokenVerifier(directory),
    ...(config.oidc ? [new OidcVerifier(config.oidc, () => directory.users.map((user) => user.prefix))] : []),
  ]);

/**
 * Composes the signer: logs, errors, headers, CORS, health, then limits per client address (requests,
 * failed sign-ins), auth, a limit per caller, body limits and the API.
 */
export function createApp(config: SignerConfig, options: AppOptions = {}): SignerApp {
  const logger = options.logger ?? signerLogger(config.logLevel);
  const redis = config.redis ? connectRedis(config.redis, logger) : undefined;
  const counters: CounterFactory = redis && config.redis ? redisCounters(redis, config.redis) : memoryCounters();
  const metrics = new SignerMetrics();
  const storage = options.storage ?? new Storage(config.s3);
  const directory = new UserDirectory(config.users);
  const guard = new StoreGuard(config, storage, logger, metrics, options.guard);
  const lifecycle = { draining: false };
  const deps: SignerDeps = {
    lifecycle,
    guard,
    quotas: new Quotas(config.quotas, counters),
    audit: new Audit(logger),
    metrics,
    config,
    storage,
    urls: new BucketUrls({ ...config.s3, endpoint: config.s3.publicEndpoint ?? config.s3.endpoint }),
    tokens: new UploadTokens(tokenSecrets(config)),
  };
  // Behind proxies the client's address is the one the first trusted proxy appended to X-Forwarded-For.
  const app = new Koa({ proxy: config.behindTlsProxy, maxIpsCount: config.proxyHops });
  app.silent = true;
  app.use(requestIds());
  app.use(requestLog(logger));
  if (!config.behindTlsProxy) app.use(forwardedWarning(logger));
  app.use(metrics.middleware());
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
  app.use(rateLimit(counters, 'address', addressMax, windowMs, (ctx) => addressKey(ctx.ip)));
  app.use(authFailureLimit(counters, authFailureMax, windowMs));
  mount(app, metricsRoutes(metrics, config.metricsTokenSha256));
  mount(app, signInRoutes(config));
  app.use(authenticate(options.verifier ?? verifierFor(config, directory)));
  app.use(
    rateLimit(counters, 'caller', max, windowMs, (ctx) => (ctx.state.caller as Caller).id, { weighByS3Calls: true }),
  );
  const limit = config.policy.maxBodyBytes;
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: limit,
      encoding: 'utf-8',
      onError: (error, ctx) => {
        throw bodyParseError(error, limit, ctx.get('content-encoding'));
      },
    }),
  );
  mount(app, policyRoutes(deps));
  mount(app, batchRoutes(deps));
  mount(app, destinationRoutes(deps));
  mount(app, folderRoutes(deps));
  mount(app, multipartRoutes(deps));
  mount(app, linkRoutes(deps));
  let sweeps: { stop(): void } | undefined;
  return Object.assign(app, {
    ready: async () => {
      if (redis) await redisReady(redis, logger);
      await guard.start();
      sweeps = scheduleSweeps(
        () => sweepStaleUploads(storage, sweptPrefixes(config, directory.users), config.policy.uploadTokenTtlSeconds),
        logger,
      );
    },
    reloadUsers: (users: readonly UserConfig[]) => directory.replace(users),
    drain: () => {
      lifecycle.draining = true;
    },
    closeResources: async () => {
      sweeps?.stop();
      if (redis) closeRedis(redis);
    },
  });
}
