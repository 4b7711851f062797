import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SecretBox } from './settings-store';

// The OS keychain (Electron's `safeStorage`) exists only on the main thread, and the settings store asks
// it synchronously. The service thread posts each question on a port of its own and sleeps on a shared
// flag until the main thread has posted the answer and raised the flag. The main thread never waits on
// the service thread, so neither can deadlock.

/** What the service thread asks the keychain. */
type Question =
  { op: 'isEncryptionAvailable' } | { op: 'encryptString'; text: string } | { op: 'decryptString'; bytes: Uint8Array };
/** The keychain's answer, or why it gave none. */
type Answer = { value: boolean | string | Uint8Array } | { error: string };

/** A flag the two threads share: 0 while a question waits, 1 once it is answered. */
export const newSecretBoxFlag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));

/** Answers the service thread's questions on `port` from `box`, on the main thread. */
export function serveSecretBox(port: MessagePort, flag: Int32Array, box: SecretBox): void {
  port.on('message', (question: Question) => {
    let answer: Answer;
    try {
      answer = {
        value:
          question.op === 'isEncryptionAvailable'
            ? box.isEncryptionAvailable()
            : question.op === 'encryptString'
              ? box.encryptString(question.text)
              : box.decryptString(Buffer.from(question.bytes)),
      };
    } catch (error) {
      answer = { error: (error as Error).message };
    }
    port.postMessage(answer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
  port.unref();
}

/** A SecretBox for the service thread that asks the main thread's, waiting for each answer. */
export function secretBoxOver(port: MessagePort, flag: Int32Array): SecretBox {
  const ask = (question: Question): Answer & { value?: unknown } => {
    Atomics.store(flag, 0, 0);
    port.postMessage(question);
    Atomics.wait(flag, 0, 0);
    const answer = receiveMessageOnPort(port)?.message as Answer | undefined;
    if (!answer) throw new Error(`The keychain gave no answer to \`${question.op}\``);
    if ('error' in answer) throw new Error(answer.error);
    return answer;
  };
  return {
    isEncryptionAvailable: () => ask({ op: 'isEncryptionAvailable' }).value as boolean,
    encryptString: (text) => Buffer.from(ask({ op: 'encryptString', text }).value as Uint8Array),
    decryptString: (bytes) => ask({ op: 'decryptString', bytes }).value as string,
  };
}
