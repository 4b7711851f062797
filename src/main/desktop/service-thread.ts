import { EventEmitter } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { DesktopUpdate, SettingsView } from '../../shared/desktop';
import { combineProgress } from '../../shared/progress';
import { isRunning } from '../../shared/batch-actions';
import type { ServiceEvents } from './hoist-service';
import { newSecretBoxFlag, serveSecretBox } from './secret-box-channel';
import {
  PendingCalls,
  SERVICE_CALLS,
  serializeError,
  type RemoteCalls,
  type FromService,
  type ServiceCall,
  type ShellQuestion,
  type ToService,
} from './service-calls';
import type { ServiceThreadData } from './service-worker';
import type { SecretBox } from './settings-store';

/** What the service thread needs from the main thread: where its files are, and what only Electron can do. */
export interface ServiceThreadOptions {
  settingsFile: string;
  stateDir: string;
  secretBox: SecretBox;
  /** The system's proxy settings' answer for a URL (a PAC-style string). */
  resolveProxy(url: string): Promise<string>;
  /** Opens a page in the system browser. */
  openExternal(url: string): Promise<void>;
  /** Called with each thread as it starts, to watch it (or, in tests, to end it). */
  onThread?: (thread: Worker) => void;
}

/**
 * True when Hoist runs from its TypeScript sources (tests, `tsx`): the thread then runs service-worker.ts
 * through tsx; a build puts service-worker.mjs beside the bundle that names it.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Times the thread is started again after it stops unasked, before calls fail for good. */
const RESTARTS = 3;

/**
 * The desktop service on a thread of its own (service-worker.ts), driven from the main thread through
 * the same calls and events as the HoistService: scanning, hashing, signing and uploads never hold the
 * main thread's event loop, which IPC and the window's updates wait on. A thread that stops unasked is
 * started again (its batches come back as interrupted and resumable, from their journals), and the
 * window says why.
 */
export class ServiceThread extends EventEmitter<ServiceEvents> {
  readonly #options: ServiceThreadOptions;
  readonly #pending = new PendingCalls();
  #worker!: Worker;
  #busy = false;
  #restarts = 0;
  #closing = false;
  /** Why the thread stopped for good: closed, or dead after its last restart. */
  #stopped: string | undefined;
  #settings: SettingsView | undefined;
  /** The service's last update, so the window can be told the thread is gone. */
  #lastUpdate: DesktopUpdate | undefined;

  constructor(options: ServiceThreadOptions) {
    super();
    this.#options = options;
    for (const name of SERVICE_CALLS) {
      Object.defineProperty(this, name, { value: (...args: unknown[]) => this.#call(name, args) });
    }
    this.#start();
  }

  /** True while any batch is uploading or paused mid-way, as the service's last event said. */
  busy(): boolean {
    return this.#busy;
  }

  /** The signer's URL in the settings the service last reported, or '' before it did. */
  get signerUrl(): string {
    return this.#settings?.signerUrl ?? '';
  }

  /** Stops the thread; calls still waiting fail, and so do calls made after. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker.terminate();
  }

  #start(notice?: string): void {
    const keychain = new MessageChannel();
    const flag = newSecretBoxFlag();
    serveSecretBox(keychain.port1, flag, this.#options.secretBox);
    const data: ServiceThreadData = {
      settingsFile: this.#options.settingsFile,
      stateDir: this.#options.stateDir,
      keychainPort: keychain.port2,
      keychainFlag: flag,
      ...(notice ? { notice } : {}),
    };
    const worker = new Worker(new URL(FROM_SOURCE ? './service-worker.ts' : './service-worker.mjs', import.meta.url), {
      ...(FROM_SOURCE ? { execArgv: ['--import', 'tsx'] } : {}),
      workerData: data,
      transferList: [keychain.port2],
    });
    this.#worker = worker;
    this.#options.onThread?.(worker);
    worker.on('message', (message: FromService) => this.#receive(worker, message));
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      keychain.port1.close();
      const reason = failure?.message ?? `it exited with code ${code}`;
      this.#pending.failAll(new Error(`The upload service stopped: ${reason}`));
      this.#busy = false;
      if (this.#closing || this.#restarts >= RESTARTS) {
        this.#stopped = this.#closing ? 'it was closed' : reason;
        if (!this.#closing) {
          const last = this.#lastUpdate ?? {
            batches: [],
            recentDestinations: [],
            overall: combineProgress([]),
            warnings: [],
          };
          const warning = `The upload service stopped (${reason}) and was not started again: quit Hoist and open it again to resume`;
          // Batches it was uploading stop where they are; their journals resume them at the next start.
          const batches = last.batches.map((b) => (isRunning(b.phase) ? { ...b, phase: 'interrupted' as const } : b));
          this.emit('update', { ...last, batches, warnings: [...last.warnings, warning] });
        }
        return;
      }
      this.#restarts += 1;
      this.#start(`The upload service stopped (${reason}) and started again; interrupted batches can be resumed`);
      void this.#call('restoreUnfinished', []).catch((error: Error) =>
        console.error(`Cannot list unfinished batches: ${error.message}`),
      );
    });
    // Only to learn the signer's URL (`signerUrl`); a thread that fails this fails every call, and says so there.
    void this.#call('settings', []).catch(() => undefined);
  }

  #call(name: ServiceCall, args: unknown[]): Promise<unknown> {
    if (this.#stopped) return Promise.reject(new Error(`The upload service stopped: ${this.#stopped}`));
    const { id, answer } = this.#pending.open();
    this.#worker.postMessage({ kind: 'call', id, name, args } satisfies ToService);
    if (name === 'settings' || name === 'saveSettings' || name === 'signIn' || name === 'signOut') {
      void answer.then(
        (view) => (this.#settings = view as SettingsView),
        () => undefined,
      );
    }
    return answer;
  }

  #receive(worker: Worker, message: FromService): void {
    if (message.kind === 'event') {
      this.#busy = message.busy;
      if (message.name === 'update') this.#lastUpdate = message.payload as DesktopUpdate;
      this.emit(message.name, message.payload as never);
      return;
    }
    if (message.kind === 'ask') {
      void this.#answer(worker, message);
      return;
    }
    this.#pending.settle(message);
  }

  /** Answers the thread's question from Electron; a thread started again since gets no stale answer. */
  async #answer(worker: Worker, { id, name, arg }: { id: number; name: ShellQuestion; arg: string }): Promise<void> {
    let reply: ToService;
    try {
      reply = { kind: 'answer', id, value: await this.#options[name](arg) };
    } catch (error) {
      reply = { kind: 'answer', id, error: serializeError(error) };
    }
    if (worker === this.#worker) worker.postMessage(reply);
  }
}

/** The service thread, with the service's calls, each answered later. */
export function startServiceThread(options: ServiceThreadOptions): ServiceThread & RemoteCalls {
  return new ServiceThread(options) as ServiceThread & RemoteCalls;
}
