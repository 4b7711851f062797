import type { UserAccess } from '../access/scoped-sessions';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';

/** What one sign request works with, shared by its steps. */
export interface SigningContext {
  deps: SignerDeps;
  caller: Caller;
  /** The client's id for the batch. */
  batch: string;
  /** The folder inside the caller's prefix the batch writes to: a destination, or the batch's own. */
  folder: string;
  /** The caller's credentials and S3 client. */
  access: UserAccess;
  /** The keys held beside each stem a rename looked at: one listing per stem and request. */
  stems: Map<string, Promise<Set<string>>>;
  /** Keys this request has handed out or will, so two files never get one name. */
  taken: Set<string>;
}
