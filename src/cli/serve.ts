import { InvalidArgumentError, Option, type Command } from 'commander';
import { embeddedTokenFile, startEmbeddedStack } from '../embedded/embedded-stack';
import { cliPaths } from './paths';
import { parseStateDir } from './parse-options';

/** The port `hoist serve` listens on unless told otherwise, as `npm run signer` always has. */
export const SERVE_PORT = 8787;

/** Parses `--port`: 0 (any free port) to 65535. */
function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError(`Expected \`--port\` to be a whole number from 0 to 65535, got \`${value}\``);
  return port;
}

/** The lines `hoist serve` starts with: where the signer is, where its token and data are, how to push to it. */
export function serveLines(signerUrl: string, tokenFile: string, dataDir: string): string[] {
  return [
    "Hoist's embedded signer and store, until Ctrl-C:",
    `  signer: ${signerUrl}`,
    `  token:  ${tokenFile}`,
    `  data:   ${dataDir}`,
    'Push to it from another terminal; view links work while this runs:',
    `  hoist push FOLDER --signer ${signerUrl} --token-file ${tokenFile} --links`,
  ];
}

/**
 * Adds `hoist serve`: the embedded signer and store that `hoist push` starts without a signer, on a
 * fixed port until stopped, with the same data and token, for the desktop app, other terminals and links.
 */
export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the embedded signer and store (the ones push uses without --signer) until Ctrl-C')
    .addOption(
      new Option('--port <port>', 'the signer port (0: any free one)').argParser(parsePort).default(SERVE_PORT),
    )
    .addOption(
      new Option('--state-dir <dir>', 'where journals and reports live (or HOIST_STATE_DIR)').argParser(parseStateDir),
    )
    .action(async (flags: { port: number; stateDir?: string }) => {
      const stateDir = flags.stateDir ?? cliPaths(process.env).stateDir;
      const stack = await startEmbeddedStack(stateDir, flags.port);
      process.stdout.write(`${serveLines(stack.signerUrl, embeddedTokenFile(stateDir), stack.dataDir).join('\n')}\n`);
      // Stopping is the normal end here, not an interrupted upload: the CLI's own SIGINT note does not apply.
      process.removeAllListeners('SIGINT');
      await new Promise<void>((stopped) => {
        const stop = () => void stack.stop().then(stopped);
        process.once('SIGINT', stop).once('SIGTERM', stop);
      });
    });
}
