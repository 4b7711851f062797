import { homedir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { BandwidthLimiter } from './bandwidth';
import { Batch, type SharedResources } from './batch';
import { HashPool } from './hash-pool';
import { readJournal, unfinishedJournals, type JournalState } from './journal';
import { DEFAULT_RETRY, type RetryOptions } from './retry';
import { SignerClient } from './signer-client';
import { createAgents } from './transfer';
import { combineProgress, type OverallProgress } from '../../shared/progress';

export { Batch, newBatchId } from './batch';
export { planFolder, type FolderPlan, type PlanOptions } from './plan';
export { DEFAULT_IGNORE } from './scan';
export { writeReport } from './report-writer';
export { addViewLinks } from './report-links';
export { SignerClient } from './signer-client';
export { UploadError } from './errors';
export type { JournalState } from './journal';

/** Settings of one engine; every batch it runs shares them. */
export interface EngineOptions {
  signerUrl: string;
  /** What journals call this signer, to find batches to resume; defaults to `signerUrl`. */
  signerId?: string;
  token: string;
  /** Connections at once, for files and parts together. */
  concurrency?: number;
  /** Bytes per second for the whole engine; unlimited when absent. */
  bandwidth?: number;
  /** Where journals live; defaults to ~/.hoist. */
  stateDir?: string;
  /** Milliseconds without progress before a transfer is aborted and retried. */
  stallMs?: number;
  retry?: Partial<RetryOptions>;
  signBatchSize?: number;
}

/** The default folder for journals and reports. */
export const defaultStateDir = (): string => join(homedir(), '.hoist');

function checkConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw new TypeError(
      `Expected \`concurrency\` to be a whole number from 1 to 256, got \`${value}\` (${typeof value})`,
    );
  }
  return value;
}

/** The upload engine: one connection budget, one bandwidth limit and one signer for all its batches. */
export class UploadEngine {
  readonly #shared: SharedResources;
  readonly stateDir: string;

  constructor(options: EngineOptions) {
    const concurrency = checkConcurrency(options.concurrency ?? 8);
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    this.stateDir = options.stateDir ?? defaultStateDir();
    this.#shared = {
      queue: new PQueue({ concurrency }),
      agents: createAgents(concurrency),
      limiter: options.bandwidth ? new BandwidthLimiter(options.bandwidth) : undefined,
      signer: new SignerClient({ url: options.signerUrl, token: options.token }, retry),
      hasher: new HashPool(),
      signerUrl: options.signerId ?? options.signerUrl,
      concurrency,
      stallMs: options.stallMs ?? 30_000,
      retry,
      journalDir: join(this.stateDir, 'journals'),
      signBatchSize: options.signBatchSize ?? 100,
      running: new Set(),
    };
  }

  /** The signer client this engine uses. */
  get signer(): SignerClient {
    return this.#shared.signer;
  }

  /** A new batch for a folder or file; call `run()` on it to upload. */
  batch(root: string, options: { id?: string; ignore?: string[] } = {}): Batch {
    return new Batch(root, this.#shared, options);
  }

  /** A batch that continues a journal: files it lists as finished are not sent again. */
  resume(state: JournalState): Batch {
    return new Batch(state.header.root, this.#shared, { resumeFrom: state });
  }

  /** Progress summed over every batch of this engine that is running now. */
  overall(): OverallProgress {
    return combineProgress([...this.#shared.running].map((batch) => batch.progress()));
  }

  /** What the journal of `batchId` holds, or undefined when there is none. */
  journal(batchId: string): JournalState | undefined {
    try {
      return readJournal(join(this.#shared.journalDir, `${batchId}.jsonl`));
    } catch {
      return undefined;
    }
  }

  /** Unfinished batches of this signer in the state folder, newest first. */
  unfinished(): JournalState[] {
    return unfinishedJournals(this.#shared.journalDir).filter((s) => s.header.signer === this.#shared.signerUrl);
  }

  /** Closes idle connections and stops the hash threads. */
  close(): void {
    this.#shared.agents.http.destroy();
    this.#shared.agents.https.destroy();
    void this.#shared.hasher.close();
  }
}
