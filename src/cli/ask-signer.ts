import { UploadEngine } from '../engine';
import type { SignerClient } from '../engine/signer/signer-client';
import { connect, type Notes } from './connect';
import { JSON_EVENTS_VERSION } from './output';
import { cliPaths } from './paths';
import { connectionOptions, type Connection } from './push-options';

/** The flags every command that asks the signer takes. */
export interface AskFlags {
  signer?: string;
  token?: string;
  tokenFile?: string;
  stateDir?: string;
  caFile?: string;
  allowHttp?: boolean;
  json?: boolean;
}

/** A signer to ask, who we are to it, and how to let it go. */
export interface SignerSession {
  signer: SignerClient;
  connection: Connection;
  close(): Promise<void>;
}

/** Where a command that asks the signer prints: its answer to stdout, as text or JSON lines; notes to stderr. */
export interface AskOutput extends Notes {
  /** One line of the answer, or with --json one event. */
  answer(text: string, event: string, data: object): void;
  /** One part of the answer that went wrong: `error: text` on stderr, or with --json one event. */
  problem(text: string, event: string, data: object): void;
}

/** The output for `flags`: with `--json` every line is an event (`v`, `event`), else text; notes never mix with the answer. */
export function askOutput(flags: AskFlags, write = (line: string) => void process.stdout.write(line)): AskOutput {
  const writeError = (line: string) => void process.stderr.write(line);
  const emit = (event: string, data: object) =>
    write(`${JSON.stringify({ v: JSON_EVENTS_VERSION, event, ...data })}\n`);
  if (flags.json)
    return {
      answer: (_text, event, data) => emit(event, data),
      problem: (_text, event, data) => emit(event, data),
      info: (message) => emit('info', { message }),
      warning: (message) => emit('warning', { message }),
      error: (message) => emit('error', { message }),
    };
  return {
    answer: (text) => write(`${text}\n`),
    problem: (text) => writeError(`error: ${text}\n`),
    info: (message) => writeError(`${message}\n`),
    warning: (message) => writeError(`warning: ${message}\n`),
    error: (message) => writeError(`error: ${message}\n`),
  };
}

/**
 * Reaches the signer the flags, environment or settings name (else the embedded one), with the token to
 * send; undefined, with an error said, when there is no token.
 */
export async function openSigner(
  flags: AskFlags,
  env: NodeJS.ProcessEnv,
  notes: Notes,
): Promise<SignerSession | undefined> {
  const caFile = flags.caFile ?? (env.HOIST_CA_FILE || undefined);
  const options = {
    ...flags,
    ...(caFile ? { caFile } : {}),
    stateDir: flags.stateDir ?? cliPaths(env).stateDir,
    allowHttp: flags.allowHttp ?? false,
  };
  const connected = await connect(options, env, notes);
  if (!connected) return undefined;
  const engine = new UploadEngine(connectionOptions(options, connected.connection));
  return {
    signer: engine.signer,
    connection: connected.connection,
    close: async () => {
      engine.close();
      await connected.stack?.stop();
    },
  };
}
