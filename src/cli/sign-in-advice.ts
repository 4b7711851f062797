import type { SignInError, SignInErrorCode } from '../sign-in';

/** What a terminal user does about each sign-in problem. */
const ADVICE: Record<SignInErrorCode, string> = {
  'sign-in-expired': 'run `hoist login` again',
  'refresh-refused': 'run `hoist login` again',
  'signer-unreachable': 'check --signer (or HOIST_SIGNER) and your network',
  'no-sign-in-info': 'check that --signer names a Hoist signer',
  'tokens-only': 'use --token-file or HOIST_TOKEN with the token your admin gave you',
  'audience-mismatch': 'check that --signer is the signer your team runs',
};

/** A sign-in problem as the terminal says it: what happened, then what to do in a terminal. */
export function signInMessage(error: SignInError): string {
  return `${error.message}; ${ADVICE[error.code]}`;
}
