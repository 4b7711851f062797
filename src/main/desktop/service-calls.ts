import type { EventEmitter } from 'node:events';
import type { HoistService, ServiceEvents } from './hoist-service';

/** The service's calls the shell makes, by name: what the service thread answers. */
export const SERVICE_CALLS = [
  'restoreUnfinished',
  'addBatches',
  'configureBatch',
  'control',
  'controlFile',
  'listFiles',
  'viewUrl',
  'details',
  'account',
  'reportPath',
  'placeOf',
  'placePage',
  'settings',
  'saveSettings',
  'signIn',
  'signOut',
] as const satisfies readonly (keyof HoistService)[];

export type ServiceCall = (typeof SERVICE_CALLS)[number];

/** One of the service's calls as the shell makes it: answered now, in process, or later, from the service thread. */
type Call<F> = F extends (...args: infer A) => infer R ? (...args: A) => R | Promise<Awaited<R>> : never;

/** One of the service's calls made from another thread: its answer always comes later. */
type Remote<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** The service's calls as the service thread takes them. */
export type RemoteCalls = { [K in ServiceCall]: Remote<HoistService[K]> };

/**
 * The desktop service as the shell sees it: its calls, its events, and whether a batch is running. The
 * HoistService itself is one; the ServiceThread, which runs it off the main thread, is the other.
 */
export type DesktopService = { [K in ServiceCall]: Call<HoistService[K]> } & {
  busy(): boolean;
} & Pick<EventEmitter<ServiceEvents>, 'on'>;

/** What the thread says to the shell: an answer to a call, an event of the service, or a question only Electron can answer. */
export type FromService =
  | { kind: 'answer'; id: number; value?: unknown; error?: SerializedError }
  | { kind: 'event'; name: keyof ServiceEvents; payload: ServiceEvents[keyof ServiceEvents][0]; busy: boolean }
  | { kind: 'ask'; id: number; name: ShellQuestion; arg: string };

/** What the shell says to the thread: a call of the service, or the answer to its question. */
export type ToService =
  | { kind: 'call'; id: number; name: ServiceCall; args: unknown[] }
  | { kind: 'answer'; id: number; value?: unknown; error?: SerializedError };

/** What the thread asks the shell: the system's proxy for a URL, or a page opened in the system browser. */
export type ShellQuestion = 'resolveProxy' | 'openExternal';

/** An error as it crosses between threads: its class's name, its message, and its code when it has one. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

/** `error` as it crosses to the other thread. */
export function serializeError(error: unknown): SerializedError {
  const { name = 'Error', message = String(error), code } = (error ?? {}) as Partial<SerializedError>;
  return { name, message, ...(typeof code === 'string' ? { code } : {}) };
}

/** An Error with the name, message and code `error` crossed with. */
function deserializeError(error: SerializedError): Error {
  return Object.assign(new Error(error.message), { name: error.name }, error.code ? { code: error.code } : {});
}

/** Calls sent to the other thread and not answered yet, by id: the two threads' one bookkeeping of answers. */
export class PendingCalls {
  readonly #waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #last = 0;

  /** A new call's id, and the answer it will get. */
  open(): { id: number; answer: Promise<unknown> } {
    const id = ++this.#last;
    const answer = new Promise<unknown>((resolve, reject) => this.#waiting.set(id, { resolve, reject }));
    return { id, answer };
  }

  /** Settles the call `answer` is for, with its value or its error; an answer no call waits for is dropped. */
  settle(answer: { id: number; value?: unknown; error?: SerializedError | undefined }): void {
    const call = this.#waiting.get(answer.id);
    this.#waiting.delete(answer.id);
    if (answer.error) call?.reject(deserializeError(answer.error));
    else call?.resolve(answer.value);
  }

  /** Fails every call still waiting with `error`. */
  failAll(error: Error): void {
    for (const call of this.#waiting.values()) call.reject(error);
    this.#waiting.clear();
  }
}
