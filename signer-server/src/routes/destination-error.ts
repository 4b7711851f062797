import { HttpError } from '../errors';
import type { DestinationRejection } from '@hoist/protocol';

/** The HTTP error for a destination the caller cannot use: 400 when it is not a folder, 403 when not theirs. */
export function destinationError(rejection: DestinationRejection): HttpError {
  const status = rejection.code === 'destination-not-allowed' ? 403 : 400;
  return new HttpError(status, rejection.code, rejection.message, 'destination');
}
