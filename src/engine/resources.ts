import type PQueue from 'p-queue';
import type { BatchProgress } from '../shared/progress';
import type { HashCache } from './hashing/hash-cache';
import type { HashPool } from './hashing/hash-pool';
import type { SignerClient } from './signer/signer-client';
import type { BandwidthLimiter } from './transfer/bandwidth';
import type { ConnectionBudget } from './transfer/connection-budget';
import type { Connections } from './transfer/connections';
import type { ReadBuffers } from './transfer/read-buffers';
import type { RetryOptions } from './transfer/retry';

/** What every batch of one engine shares: one connection budget, one bandwidth limit, one signer. */
export interface EngineResources {
  queue: PQueue;
  /** How many of the queue's tasks run at once: pinned, or found by the engine. */
  budget: ConnectionBudget;
  connections: Connections;
  /** Read buffers that streamed ranges share, one at a time each. */
  readBuffers: ReadBuffers;
  limiter: BandwidthLimiter | undefined;
  signer: SignerClient;
  /** Hashes files off the main thread. */
  hasher: HashPool;
  /** Digests of files hashed before, so an unchanged file is not read again. */
  hashCache: HashCache;
  /** What journals call this signer, to find batches to resume. */
  signerId: string;
  stallMs: number;
  retry: RetryOptions;
  journalDir: string;
  /** Files per sign request; the policy's limit caps it. */
  signBatchSize: number;
  /** The batches whose `run` has not settled yet, for the engine's overall progress. */
  running: Set<{ progress(): BatchProgress }>;
}
