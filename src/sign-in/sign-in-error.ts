/**
 * Why a sign-in cannot go on, as a code each front end words its advice for (the CLI: `hoist login`;
 * the desktop: Settings).
 */
export const SIGN_IN_ERROR_CODES = [
  'sign-in-expired',
  'refresh-refused',
  'signer-unreachable',
  'no-sign-in-info',
  'tokens-only',
  'audience-mismatch',
] as const;

/** One of `SIGN_IN_ERROR_CODES`. */
export type SignInErrorCode = (typeof SIGN_IN_ERROR_CODES)[number];

/** A sign-in that cannot go on: its message says what happened, its code lets the front end say what to do. */
export class SignInError extends Error {
  override name = 'SignInError';

  constructor(
    readonly code: SignInErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
