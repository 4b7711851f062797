import { Option, type Command } from 'commander';
import { askOutput, openSigner, type AskFlags, type AskOutput, type SignerSession } from './ask-signer';
import { link } from './link';
import { listFolder, listFolders } from './list';
import { parseCaFile, parseDestination, parseStateDir } from './parse-options';
import { EXIT } from './push';
import { status } from './status';

/** The options every command that asks the signer shares. */
function withSignerOptions(command: Command): Command {
  return command
    .option(
      '--signer <url>',
      'signer URL (or HOIST_SIGNER, or "signer" in the settings file); default: the embedded one',
    )
    .option('--token-file <file>', 'read the bearer token from <file> (`-`: standard input); or HOIST_TOKEN')
    .option('--token <token>', 'bearer token; shows in `ps` and shell history: prefer --token-file or HOIST_TOKEN')
    .addOption(
      new Option('--ca-file <file>', 'also trust the CAs in this PEM file (or HOIST_CA_FILE)').argParser(parseCaFile),
    )
    .addOption(
      new Option('--state-dir <dir>', 'where journals and reports live (or HOIST_STATE_DIR)').argParser(parseStateDir),
    )
    .option('--allow-http', 'send the token over plain http to a signer off this machine')
    .option('--json', 'one JSON event per line (docs/cli.md describes them)');
}

/** Runs `ask` against the signer the flags name and resolves to its exit code; the signer let go after. */
async function asking(
  flags: AskFlags,
  ask: (session: SignerSession, out: AskOutput) => Promise<number>,
): Promise<number> {
  const out = askOutput(flags);
  const session = await openSigner(flags, process.env, out);
  if (!session) return EXIT.usage;
  try {
    return await ask(session, out);
  } finally {
    await session.close();
  }
}

/** Adds `hoist status`, `hoist ls` and `hoist link` to `program`; each sets the exit code through `done`. */
export function addSignerCommands(program: Command, done: (code: number) => void): void {
  withSignerOptions(
    program.command('status').description('who you are to the signer, what you may upload, and the quotas left'),
  ).action(async (flags: AskFlags) =>
    done(
      await asking(flags, async (session, out) => {
        await status(session, out);
        return EXIT.ok;
      }),
    ),
  );
  withSignerOptions(
    program
      .command('ls')
      .description('list your folders; with a folder, the files in it and their sizes')
      .argument('[folder]', 'a folder inside your prefix, as `hoist ls` or a push summary names it', parseDestination),
  ).action(async (folder: string | undefined, flags: AskFlags) =>
    done(
      await asking(flags, async (session, out) => {
        if (folder === undefined) await listFolders(session, out);
        else await listFolder(session, folder, out);
        return EXIT.ok;
      }),
    ),
  );
  withSignerOptions(
    program
      .command('link')
      .description('a view link to each file, valid for the time the signer allows')
      .argument('<paths...>', 'files inside your prefix, as `hoist ls FOLDER` names them: folder/file.jpg'),
  ).action(async (paths: string[], flags: AskFlags) =>
    done(
      await asking(flags, async (session, out) => {
        if (session.connection.embedded) {
          out.error(
            'The embedded store runs only while hoist does, so a link to it would stop working as this command ends; ' +
              '`hoist serve` keeps it running, and `hoist link` with the --signer and --token-file it prints gets links that work meanwhile (`hoist ls FOLDER` lists what it holds)',
          );
          return EXIT.usage;
        }
        return (await link(session, paths, out)) ? EXIT.partial : EXIT.ok;
      }),
    ),
  );
}
