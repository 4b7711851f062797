import type { SignerErrorCode } from '@hoist/protocol';

/** An error answered to the client as `{ error: { code, message, field } }` with `status`. */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: SignerErrorCode,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
