import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { pino } from 'pino';
import { hashToken } from './auth';
import { checkUser, ConfigError, loadConfig } from './config';
import { startLocalStack } from './local-stack';
import { startSigner, type RunningSigner } from './server';
import { signerLogger } from './observability/logger';
import { newToken, tokenFromInput, userEntry, userOfToken } from './token-tool';
import { SIGNER_VERSION } from './version';

const env = process.env;
/** sysexits' EX_CONFIG: the config (or the credentials, or the bucket it names) stops the signer at start. */
const EXIT_CONFIG = 78;

/** The embedded development signer (s3rver on disk, one user), when no config names a real bucket. */
async function startDevelopment(): Promise<void> {
  const dataDir = resolve(env.HOIST_DATA_DIR ?? resolve(import.meta.dirname, '../../.hoist'), 'local-s3');
  const port = env.HOIST_SIGNER_PORT ? Number(env.HOIST_SIGNER_PORT) : 8787;
  const stack = await startLocalStack(dataDir, { signerPort: port, logLevel: 'info' });
  process.stdout.write(
    [
      `Hoist signer (development) on ${stack.signerUrl}`,
      `  embedded S3 (s3rver) on ${stack.s3Endpoint}, bucket \`${stack.bucket}\`, data in ${stack.dataDir}`,
      `  development token (shown once): ${stack.token}`,
      '  set HOIST_S3_BUCKET (or HOIST_SIGNER_CONFIG) to sign for a real bucket instead.',
      '',
    ].join('\n'),
  );
  const stop = (): void => void stack.stop().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

/**
 * Starts the signer for the bucket its config names: SIGTERM and SIGINT stop it gracefully (exit 0),
 * SIGHUP reads the users again (a bad config keeps the old users and says why).
 */
async function startForBucket(): Promise<void> {
  const config = loadConfig(env);
  // Written synchronously, so lines reach stdout in the order they were logged, the last one included.
  const log = signerLogger(config.logLevel, pino.destination({ dest: 1, sync: true }));
  const signer: RunningSigner = await startSigner(config, { logger: log });
  log.info(
    { event: 'started', url: signer.url, bucket: config.s3.bucket, version: SIGNER_VERSION },
    `Hoist signer on ${signer.url}`,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info(
      { event: 'shutdown', signal },
      `${signal}: shutting down (up to ${config.shutdownGraceSeconds} s for requests in flight)`,
    );
    void signer
      .shutdown(config.shutdownGraceSeconds * 1000, (step, detail) => log.info({ event: 'shutdown', ...detail }, step))
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  process.on('SIGHUP', () => {
    try {
      const next = loadConfig(env);
      signer.reloadUsers(next.users);
      log.info({ event: 'users-reloaded', users: next.users.length }, `Reloaded ${next.users.length} users`);
    } catch (error) {
      log.error({ event: 'users-reload-failed' }, `Kept the users as they were: ${(error as Error).message}`);
    }
  });
}

/** The `hoist-signer` command: start the server, or make and check users' tokens. */
function program(): Command {
  const root = new Command('hoist-signer')
    .description("Hoist's signing server: checks callers and files, returns pre-signed S3 upload URLs")
    .version(SIGNER_VERSION)
    .exitOverride()
    .action(async () => {
      if (env.HOIST_S3_BUCKET || env.HOIST_SIGNER_CONFIG) await startForBucket();
      else await startDevelopment();
    });
  const token = root.command('token').description("make, hash and check users' tokens");
  token
    .command('new')
    .description('print a new random token once, and the config line that holds only its hash')
    .option('--user <id>', "the user's id", 'USER-ID')
    .option('--prefix <prefix>', 'the folder of the bucket the user writes into', 'users/USER-ID')
    .action((flags: { user: string; prefix: string }) => {
      const made = newToken();
      const entry = userEntry(made, { id: flags.user, prefix: flags.prefix });
      checkUser(entry);
      process.stdout.write(
        `Token (give it to ${flags.user}; it is shown only now):\n  ${made}\n` +
          `Add to "users" in the config:\n  ${JSON.stringify(entry)}\n`,
      );
    });
  token
    .command('hash')
    .description('print the hex SHA-256 of the token on standard input (one trailing newline is not part of it)')
    .action(() => {
      process.stdout.write(`${hashToken(tokenFromInput(readFileSync(0, 'utf8')))}\n`);
    });
  token
    .command('check')
    .argument('<token>', "the token to look up ('-' reads standard input)")
    .description('name the user of the config (HOIST_SIGNER_CONFIG and the environment) whose token it is')
    .action((given: string) => {
      const value = given === '-' ? tokenFromInput(readFileSync(0, 'utf8')) : given;
      const user = userOfToken(value, loadConfig(env).users);
      if (!user) {
        process.stdout.write('No user of this config has that token\n');
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`The token of user \`${user.id}\` (prefix \`${user.prefix}\`)\n`);
    });
  return root;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const message =
      error instanceof ConfigError
        ? error.message
        : `Signer failed to start: ${(error as Error).stack ?? String(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(error instanceof ConfigError ? EXIT_CONFIG : 1);
  });
