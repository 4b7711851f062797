/** Errors a write gets once the reader of a pipe went away: the pipe closed, or the stream was torn down after it. */
const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * Lets a run go on when the reader of `streams` goes away (`hoist push DIR | head -2`): what would have
 * been printed is dropped, where the process would otherwise die on an unhandled EPIPE with the batch's
 * lock still held. The upload, its journal and its report are unaffected; any other error still throws.
 */
export function surviveClosedPipes(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!CLOSED.has(error.code ?? '')) throw error;
    });
  }
}
