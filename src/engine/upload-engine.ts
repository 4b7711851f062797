import { homedir } from 'node:os';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { combineProgress, type OverallProgress } from '../shared/progress';
import { Batch, type BatchOptions } from './batch/batch';
import { readJournal, unfinishedJournals, type JournalState } from './run/journal';
import { HashCache } from './hashing/hash-cache';
import { HashPool } from './hashing/hash-pool';
import { resolveEngineOptions, type EngineOptions } from './options';
import { openDestination } from './pipeline/destination-check';
import { newBatchId } from './run/batch-id';
import { RememberedDestinations } from './run/remembered-destinations';
import { planFolder, type FolderPlan, type PlanOptions } from './pipeline/plan';
import type { EngineResources } from './resources';
import { SignerClient } from './signer/signer-client';
import { BandwidthLimiter } from './transfer/bandwidth';
import { ConnectionBudget } from './transfer/connection-budget';
import { Connections } from './transfer/connections';
import { ReadBuffers } from './transfer/read-buffers';

/** The default folder for journals and reports. */
export const defaultStateDir = (): string => join(homedir(), '.hoist');

/** The upload engine: one connection budget, one bandwidth limit and one signer for all its batches. */
export class UploadEngine {
  readonly #resources: EngineResources;
  readonly #remembered: RememberedDestinations;
  readonly stateDir: string;

  constructor(input: EngineOptions) {
    const options = resolveEngineOptions(input);
    const { retry } = options;
    this.stateDir = options.stateDir ?? defaultStateDir();
    this.#remembered = new RememberedDestinations(join(this.stateDir, 'destinations.json'));
    const queue = new PQueue();
    const budget = new ConnectionBudget(options.budget, queue);
    const connections = new Connections({
      maxSockets: budget.ceiling,
      ca: options.ca,
      proxy: options.proxy,
    });
    this.#resources = {
      queue,
      budget,
      connections,
      readBuffers: new ReadBuffers(),
      limiter: options.bandwidth ? new BandwidthLimiter(options.bandwidth) : undefined,
      signer: new SignerClient(
        {
          url: options.signerUrl,
          token: options.token,
          ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
        },
        retry,
        connections,
        options.allowHttp,
      ),
      hasher: new HashPool(),
      hashCache: new HashCache(join(this.stateDir, 'hash-cache.jsonl')),
      signerId: options.signerId ?? options.signerUrl,
      stallMs: options.stallMs,
      retry,
      journalDir: join(this.stateDir, 'journals'),
      signBatchSize: options.signBatchSize,
      running: new Set(),
    };
  }

  /** The signer client this engine uses. */
  get signer(): SignerClient {
    return this.#resources.signer;
  }

  /** A new batch for a folder or file; call `run()` on it to upload. */
  batch(root: string, options: BatchOptions = {}): Batch {
    this.#resources.hashCache.refresh();
    return new Batch(root, this.#resources, options);
  }

  /**
   * What a folder would do, before any byte moves: the signer's policy applied to every file and, with a
   * destination, what it already holds (listed once) compared with each file. `batch(root, { plan })`
   * uploads it without scanning, listing or hashing again.
   */
  async plan(
    root: string,
    options: Partial<Omit<PlanOptions, 'check'>> & { destination?: string } = {},
  ): Promise<FolderPlan> {
    const { destination, ...rest } = options;
    const { signer, hasher, hashCache } = this.#resources;
    const batchId = rest.batchId ?? newBatchId(root);
    hashCache.refresh();
    const policy = await signer.policy();
    const check = await openDestination(signer, hasher, hashCache, policy, batchId, destination);
    return planFolder(root, policy, { ...rest, batchId, ...(check ? { check } : {}) });
  }

  /** The folder inside `prefix` that `root` went to last through this engine's signer, if any. */
  rememberedDestination(root: string, prefix: string): string | undefined {
    return this.#remembered.get(this.#resources.signerId, prefix, root);
  }

  /** Remembers where a batch of `root` went, so the next push of it continues there. */
  rememberDestination(root: string, prefix: string, destination: string): void {
    this.#remembered.set(this.#resources.signerId, prefix, root, destination);
  }

  /** A batch that continues a journal: files it lists as finished are not sent again. */
  resume(state: JournalState): Batch {
    this.#resources.hashCache.refresh();
    return new Batch(state.header.root, this.#resources, { resumeFrom: state });
  }

  /** Progress summed over every batch of this engine that is running now, with the connections in use. */
  overall(): OverallProgress {
    return combineProgress(
      [...this.#resources.running].map((batch) => batch.progress()),
      this.#resources.budget.current,
    );
  }

  /** What the journal of `batchId` holds, or undefined when there is none. */
  journal(batchId: string): JournalState | undefined {
    try {
      return readJournal(join(this.#resources.journalDir, `${batchId}.jsonl`));
    } catch {
      return undefined;
    }
  }

  /** Unfinished batches of this signer in the state folder, newest first. */
  unfinished(): JournalState[] {
    return unfinishedJournals(this.#resources.journalDir).filter((s) => s.header.signer === this.#resources.signerId);
  }

  /** Closes idle connections, lets idle read buffers go and stops the hash threads. */
  close(): void {
    this.#resources.connections.destroy();
    this.#resources.readBuffers.clear();
    this.#resources.hashCache.close();
    void this.#resources.hasher.close();
  }
}
