import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { capYoungGeneration } from '../../engine';
import { HoistService } from './hoist-service';
import { secretBoxOver } from './secret-box-channel';
import {
  PendingCalls,
  SERVICE_CALLS,
  serializeError,
  type FromService,
  type ShellQuestion,
  type ToService,
} from './service-calls';
import { SettingsStore } from './settings-store';
import { startEngine } from './start-engine';

// The service thread (started by service-thread.ts): the desktop's service, its engine and its uploads
// run here, so Electron's main thread only relays IPC and stays free for the window. What only Electron
// can do (the keychain, the system's proxy, the system browser) it asks the main thread for.

/** What the main thread hands the service thread as it starts it. */
export interface ServiceThreadData {
  settingsFile: string;
  stateDir: string;
  keychainPort: MessagePort;
  keychainFlag: Int32Array;
  /** A warning the window shows from the start: why the thread started again. */
  notice?: string;
}

const data = workerData as ServiceThreadData;
/** The only names a call may have: the service's other methods are not the shell's to call. */
const CALLS = new Set<string>(SERVICE_CALLS);
const port = parentPort!;
const post = (message: FromService): void => port.postMessage(message);

const questions = new PendingCalls();
/** Asks the main thread what only Electron knows. */
const ask = <T>(name: ShellQuestion, arg: string): Promise<T> => {
  const { id, answer } = questions.open();
  post({ kind: 'ask', id, name, arg });
  return answer as Promise<T>;
};

capYoungGeneration();
const settings = new SettingsStore(data.settingsFile, secretBoxOver(data.keychainPort, data.keychainFlag));
const service = new HoistService({
  settings,
  stateDir: data.stateDir,
  createEngine: (current) =>
    startEngine(
      current,
      data.stateDir,
      (url) => ask<string>('resolveProxy', url),
      (signIn) => settings.setSignIn(signIn),
    ),
  openExternal: (url) => ask<void>('openExternal', url),
  ...(data.notice ? { notice: data.notice } : {}),
});
service.on('update', (payload) => post({ kind: 'event', name: 'update', payload, busy: service.busy() }));
service.on('ended', (payload) => post({ kind: 'event', name: 'ended', payload, busy: service.busy() }));

port.on('message', (message: ToService) => {
  if (message.kind === 'answer') {
    questions.settle(message);
    return;
  }
  const { id, name, args } = message;
  Promise.resolve()
    .then(() => {
      if (!CALLS.has(name)) throw new Error(`Expected one of the service's calls, got \`${String(name)}\``);
      return (service[name] as (...args: unknown[]) => unknown).apply(service, args);
    })
    .then(
      (value) => post({ kind: 'answer', id, value }),
      (error: unknown) => post({ kind: 'answer', id, error: serializeError(error) }),
    );
});
