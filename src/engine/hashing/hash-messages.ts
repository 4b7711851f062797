/** The messages between the hash pool and its worker threads; types only, so the worker imports nothing. */

/** Why the worker could not read or hash a file. */
export interface WorkerError {
  code: string;
  message: string;
  /** For a short read (`ESHORTREAD`): bytes read of those expected. */
  read?: number;
  expected?: number;
}

/** What fstat said of a file when the worker opened it. */
export interface WorkerStat {
  size: number;
  mtimeMs: number;
}

/** Hash the file at `path` in parts of `partSize` bytes. */
export interface HashRequest {
  id: number;
  path: string;
  size: number;
  partSize: number;
}

/** Read these small files whole, each into one shared buffer, and hash them. */
export interface SmallRequest {
  id: number;
  small: { path: string; size: number }[];
}

/** Stop job `stop`: its parts not hashed yet are dropped. */
export interface StopRequest {
  stop: number;
}

/** Every message the pool sends a worker. */
export type ToWorker = HashRequest | SmallRequest | StopRequest;

/**
 * One small file's result: its fstat and MD5 (no MD5 when its size changed since the scan) with its
 * identity when opened (what the hash cache keys on), or an error.
 */
export type SmallResult = { stat: WorkerStat; identity?: string; digest?: string } | { error: WorkerError };

/** Every message a worker sends the pool, about job `id`. */
export type FromWorker =
  | { id: number; small: SmallResult[]; bytes: ArrayBuffer }
  | { id: number; stat: WorkerStat }
  | { id: number; n: number; digest: string }
  | { id: number; end: true; whole: string }
  | { id: number; error: WorkerError };
