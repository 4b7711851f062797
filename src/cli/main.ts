import { Command, CommanderError, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { DEFAULT_IGNORE, EngineOptionError } from '../engine';
import { createWriteStream } from 'node:fs';
import { fanOut, jsonReporter, logReporter, plainReporter, ttyReporter, type Reporter } from './output';
import {
  collectPattern,
  parseBandwidth,
  parseCaFile,
  parseConcurrency,
  parseConflictChoice,
  parseDestination,
  parseConnections,
  parseFolder,
  parseLogFile,
  parseReport,
  parseStateDir,
} from './parse-options';
import { EXIT, push } from './push';
import { pushOptions, type PushFlags } from './push-options';
import { cliPaths } from './paths';
import { readSettings, resolveSigner, SettingsError, TokenFileError, withPushDefaults } from './settings';
import { signInMessage } from './sign-in-advice';
import { addCleanCommand } from './clean';
import { addServeCommand } from './serve';
import { addSignerCommands } from './signer-commands';
import { isLoopbackHost } from '@hoist/protocol';
import { deviceSignIn, SignInError, signInFetch, SignInStore, signInPath, signOut } from '../sign-in';

interface SignInFlags {
  signer?: string;
  caFile?: string;
  allowHttp?: boolean;
}

/** The screen's reporter for these flags, with a time-stamped log beside it for `--log-file` or `--verbose`. */
function reporterFor(flags: PushFlags, log: NodeJS.WritableStream | undefined): Reporter {
  const write = (line: string): void => void process.stdout.write(line);
  const writeError = (line: string): void => void process.stderr.write(line);
  const screen = flags.json
    ? jsonReporter(write)
    : process.stdout.isTTY && flags.progress && !flags.quiet
      ? ttyReporter(process.stdout, writeError)
      : plainReporter(write, writeError, flags);
  return log
    ? fanOut(
        screen,
        logReporter((line) => void log.write(line)),
      )
    : screen;
}

/** Where the log goes: the `--log-file` (appended to), else standard error with `--verbose`, else nowhere. */
function logFor(flags: PushFlags): NodeJS.WritableStream | undefined {
  if (flags.logFile) return createWriteStream(flags.logFile, { flags: 'a', mode: 0o600 });
  return flags.verbose ? process.stderr : undefined;
}

/** Runs the `hoist` command line and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  /** The signer `hoist login`/`logout` talk to, or undefined (and the exit code set) when it must not be. */
  const signInSigner = (command: string, flags: SignInFlags): string | undefined => {
    const signer = resolveSigner(flags, process.env).signer;
    if (!signer) {
      process.stderr.write(`hoist ${command}: name the signer with --signer (or HOIST_SIGNER)\n`);
      code = EXIT.usage;
      return undefined;
    }
    const url = URL.canParse(signer) ? new URL(signer) : undefined;
    if (url?.protocol === 'http:' && !isLoopbackHost(url.hostname) && !flags.allowHttp) {
      process.stderr.write(
        `hoist ${command}: expected the signer to be https, or http on this machine, got \`${url.origin}\`: ` +
          'over http the sign-in crosses the network in the clear (--allow-http sends it anyway)\n',
      );
      code = EXIT.usage;
      return undefined;
    }
    return signer;
  };
  const program = new Command('hoist')
    .description('Bulk-upload folders straight to S3 through a Hoist signer')
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError('(hoist --help, or hoist <command> --help, lists what it takes)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program
    .command('push')
    .description('upload each folder as a batch; a re-run of an interrupted push resumes it')
    .argument('<folders...>', 'folders or files to upload', parseFolder)
    .addOption(
      new Option(
        '--to <destination>',
        'a folder inside your prefix, e.g. clients/acme/2026-12; files already there are skipped (default: where this folder went before, else a new batch folder)',
      ).argParser(parseDestination),
    )
    .option('--new-folder', 'upload into a fresh batch folder, not where this folder went before')
    .addOption(
      new Option('--on-conflict <choice>', 'where --to holds a different file: skip, overwrite, rename or fail')
        .argParser(parseConflictChoice)
        .default('skip'),
    )
    .option('--signer <url>', 'signer URL (or HOIST_SIGNER); without it, an embedded local signer and store are used')
    .option('--token <token>', 'bearer token; shows in `ps` and shell history: prefer --token-file or HOIST_TOKEN')
    .option(
      '--token-file <file>',
      'read the bearer token from <file> (`-`: standard input); or HOIST_TOKEN, or "token" in the settings file',
    )
    .addOption(
      new Option(
        '--concurrency <n>',
        'connections at once, files and parts together (at most 4 parts of one file); `auto` finds the level that pays on this link',
      )
        .argParser(parseConcurrency)
        .default('auto'),
    )
    .addOption(
      new Option('--min-concurrency <n>', 'the fewest connections `auto` goes down to (default 4)').argParser(
        parseConnections('--min-concurrency'),
      ),
    )
    .addOption(
      new Option('--max-concurrency <n>', 'the most connections `auto` goes up to (default 128)').argParser(
        parseConnections('--max-concurrency'),
      ),
    )
    .addOption(
      new Option(
        '--ca-file <file>',
        'also trust the certificate authorities in this PEM file (or HOIST_CA_FILE; NODE_EXTRA_CA_CERTS works too)',
      ).argParser(parseCaFile),
    )
    .addOption(new Option('--bwlimit <rate>', 'bandwidth limit in bytes/s, e.g. 500K or 10M').argParser(parseBandwidth))
    .option(
      '-n, --dry-run',
      'show where the files would land and what would upload, be refused or skipped; sends nothing',
    )
    .option('--json', 'one JSON event per line (docs/cli.md describes them)')
    .option('-q, --quiet', 'print only errors, warnings and failed files')
    .option('-v, --verbose', "log each file's outcome, time-stamped, to standard error (or to --log-file)")
    .addOption(
      new Option('--log-file <file>', 'append a time-stamped log of every file and note to <file>').argParser(
        parseLogFile,
      ),
    )
    .option('--no-progress', 'no progress line (the summary still prints)')
    .addOption(new Option('--report <file>', 'write the report to <file>.json and <file>.csv').argParser(parseReport))
    .addOption(
      new Option('--state-dir <dir>', 'where journals and reports live (or HOIST_STATE_DIR)').argParser(parseStateDir),
    )
    .addOption(
      new Option(
        '--exclude <pattern>',
        'skip files (or folders, `name/`) matching a glob; repeat for more; added to the default excludes',
      )
        .argParser(collectPattern)
        .default([]),
    )
    .addOption(
      new Option(
        '--include <pattern>',
        'send only files matching a glob (or inside folders matching `name/`); repeat for more',
      )
        .argParser(collectPattern)
        .default([]),
    )
    .addOption(new Option('--ignore <pattern>', 'the same as --exclude').argParser(collectPattern).hideHelp())
    .option('--no-default-excludes', `do not skip ${DEFAULT_IGNORE.join(', ')} (skipped unless this is given)`)
    .option('--links', "put a view link to each uploaded file in the report (they expire: the signer's view lifetime)")
    .option('--follow-symlinks', 'follow symlinks that lead outside the folder (skipped by default)')
    .option('--allow-http', 'let the token and the files go over plain http to a signer or store off this machine')
    .action(async (folders: string[], given: PushFlags, command: Command) => {
      const fromCommandLine = (flag: string) => command.getOptionValueSource(flag) === 'cli';
      const flags = withPushDefaults(given, fromCommandLine, readSettings(process.env));
      const log = logFor(flags);
      try {
        code = await push(
          folders,
          pushOptions(flags, process.env, cliPaths(process.env).stateDir),
          process.env,
          reporterFor(flags, log),
        );
      } finally {
        if (log && log !== process.stderr) await new Promise<void>((done) => log.end(() => done()));
      }
    });
  program
    .command('login')
    .description("sign in with your team's identity provider, the one the signer names (device flow)")
    .option('--signer <url>', 'signer URL (or HOIST_SIGNER, or "signer" in the settings file)')
    .addOption(
      new Option('--ca-file <file>', 'also trust the CAs in this PEM file (or HOIST_CA_FILE)').argParser(parseCaFile),
    )
    .option(
      '--allow-http',
      'sign in to a signer off this machine over plain http (the token crosses the network in the clear)',
    )
    .action(async (flags: SignInFlags) => {
      const signer = signInSigner('login', flags);
      if (!signer) return;
      const store = new SignInStore(signInPath(process.env));
      await deviceSignIn(
        signer,
        store,
        (prompt) => {
          process.stdout.write(
            `To sign in, open ${prompt.verificationUri} and enter the code ${prompt.userCode}\n` +
              (prompt.verificationUriComplete ? `(or open ${prompt.verificationUriComplete})\n` : '') +
              `Waiting for you to approve (the code works for ${Math.round(prompt.expiresInSeconds / 60)} minutes)...\n`,
          );
        },
        signInFetch({ caFile: flags.caFile ?? process.env.HOIST_CA_FILE }),
      );
      process.stdout.write(`Signed in to ${new URL(signer).origin}; the sign-in is kept in ${store.path}\n`);
    });
  program
    .command('logout')
    .description('forget the sign-in for the signer, and revoke it at the identity provider')
    .option('--signer <url>', 'signer URL (or HOIST_SIGNER, or "signer" in the settings file)')
    .addOption(
      new Option('--ca-file <file>', 'also trust the CAs in this PEM file (or HOIST_CA_FILE)').argParser(parseCaFile),
    )
    .option('--allow-http', 'sign out of a signer off this machine over plain http')
    .action(async (flags: SignInFlags) => {
      const signer = signInSigner('logout', flags);
      if (!signer) return;
      const forgot = await signOut(
        signer,
        new SignInStore(signInPath(process.env)),
        signInFetch({ caFile: flags.caFile ?? process.env.HOIST_CA_FILE }),
      );
      process.stdout.write(
        forgot ? `Signed out of ${new URL(signer).origin}\n` : `Not signed in to ${new URL(signer).origin}\n`,
      );
    });
  addSignerCommands(program, (exit) => (code = exit));
  addServeCommand(program);
  addCleanCommand(program, (flag) => flag ?? cliPaths(process.env).stateDir);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message =
      error instanceof SignInError ? signInMessage(error) : error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    const usage = [TokenFileError, SettingsError, EngineOptionError].some((kind) => error instanceof kind);
    return usage ? EXIT.usage : EXIT.fatal;
  }
}
