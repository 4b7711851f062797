// The upload engine's public face: plain Node, used by the CLI, the desktop app and the bench. Folders by
// floor, lowest first: transfer/ and hashing/ (bytes), signer/ (the signer client), run/ (one run's state:
// controls, journal, progress, lock), pipeline/ (scan, decisions, plan, feed), upload/ (PUTs and parts),
// batch/ (the Batch on top), report/ (beside it); upload-engine.ts assembles them.
export { Batch, type BatchOptions } from './batch/batch';
export { newBatchId } from './run/batch-id';
export { journalEnded, type JournalState } from './run/journal';
export { withViewLinks } from './report/report-links';
export { writeReport } from './report/report-writer';
export { UploadError, type ErrorCode } from './errors';
export { EngineOptionError, readCaFile, type EngineOptions } from './options';
export { planFolder, type FolderPlan, type PlanOptions } from './pipeline/plan';
export type { ConflictChoice } from '../shared/conflicts';
export { makePrivateDir, PRIVATE_FILE_MODE } from './private-files';
export { Connections, manualProxy, type ProxyResolver } from './transfer/connections';
export { fetchThrough, type SmallFetch } from './transfer/fetch-through';
export { DEFAULT_IGNORE } from './pipeline/scan-entries';
export { IGNORE_FILE, includeRule } from './pipeline/filter-rules';

export { defaultStateDir, UploadEngine } from './upload-engine';
export { capYoungGeneration } from './young-generation';
