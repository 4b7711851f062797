import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Level, type Logger } from 'pino';

/** The request being served, so every log line written while serving it names it. */
export const requestContext = new AsyncLocalStorage<{ id: string }>();

/**
 * The signer's logger as an operator expects it: one JSON line each, an ISO time, the level by name, a
 * `msg`, the request id (`reqId`) on every line written while serving a request, errors with pino's
 * serializer (type, message, stack, code).
 */
export function signerLogger(level: Level | 'silent', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const request = requestContext.getStore();
      return request ? { reqId: request.id } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
