import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import { normaliseDestination } from '@hoist/protocol';
import {
  makePrivateDir,
  newBatchId,
  UploadError,
  writeReport,
  type Batch,
  type FolderPlan,
  type JournalState,
  type UploadEngine,
} from '../../engine';
import { hintFor, type BatchView, type DesktopUpdate, type FilePage, type PlanSummary } from '../../shared/desktop';
import type {
  ConfigureBatchRequest,
  ControlFileRequest,
  ControlRequest,
  FileRef,
  ListFilesRequest,
  SettingsInput,
} from '../../shared/ipc';
import { combineProgress } from '../../shared/progress';
import { FileTable } from './file-table';
import type { Settings, SettingsStore } from './settings-store';
import { browserSignIn, revokeSignIn, SignInError, signInFetch } from '../../sign-in';
import { manualProxy } from '../../engine/transfer/connections';
import type { SmallFetch } from '../../engine/transfer/fetch-through';

/** Builds the engine for the current settings (a remote signer, or the embedded local stack). */
export type EngineFactory = (settings: Settings) => Promise<UploadEngine>;

/** Events of the service: throttled updates for the window, and each batch's end for notifications. */
export interface ServiceEvents {
  update: [DesktopUpdate];
  ended: [BatchView];
}

interface Entry {
  view: BatchView;
  table: FileTable;
  engine?: UploadEngine;
  batch?: Batch;
  /** The plan the batch starts from, so it never scans, lists or hashes again. */
  plan?: FolderPlan;
  journal?: JournalState;
  /** Counts the plans started, so a plan overtaken by a new destination drops its result. */
  plans: number;
}

const MAX_WARNINGS = 5;
/** Conflicts the plan names, each with its reason. */
const CONFLICT_EXAMPLES = 3;

const bytesOf = (files: readonly { size: number }[]): number => files.reduce((sum, f) => sum + f.size, 0);

function summarise(plan: FolderPlan, overwriteAllowed: boolean): PlanSummary {
  const reasons = new Map<string, PlanSummary['rejected']['reasons'][number]>();
  for (const file of plan.rejected) {
    const code = file.code ?? 'rejected';
    const group = reasons.get(code);
    if (group) group.files += 1;
    else reasons.set(code, { code, reason: file.reason ?? code, files: 1, example: file.path });
  }
  return {
    upload: { files: plan.upload.files, bytes: plan.upload.bytes },
    alreadyThere: { files: plan.alreadyThere.length, bytes: bytesOf(plan.alreadyThere) },
    conflicts: {
      files: plan.conflicts.length,
      bytes: bytesOf(plan.conflicts),
      examples: plan.conflicts.slice(0, CONFLICT_EXAMPLES).map((c) => ({ path: c.path, reason: c.reason ?? '' })),
    },
    overwriteAllowed,
    rejected: { files: plan.rejected.length, reasons: [...reasons.values()] },
    skipped: { files: plan.skipped.length },
    quotas: plan.quotas,
  };
}

function actionable(error: unknown): BatchView['error'] {
  const code = error instanceof UploadError || error instanceof SignInError ? error.code : 'internal';
  return { code, message: (error as Error)?.message ?? String(error), hint: hintFor(code) };
}

/**
 * The desktop app's model, in plain Node: batches from planning to report, their file tables, settings
 * and throttled updates. The Electron shell and the renderer tests' bridge both drive this one class.
 */
export class HoistService extends EventEmitter<ServiceEvents> {
  readonly #entries = new Map<string, Entry>();
  readonly #settings: SettingsStore;
  readonly #createEngine: EngineFactory;
  readonly #openExternal: ((url: string) => Promise<void>) | undefined;
  readonly #reportsDir: string;
  readonly #intervalMs: number;
  readonly #warnings: string[] = [];
  #engine: Promise<UploadEngine> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(options: {
    settings: SettingsStore;
    createEngine: EngineFactory;
    stateDir: string;
    intervalMs?: number;
    /** Opens a URL in the system browser, for signing in. */
    openExternal?: (url: string) => Promise<void>;
  }) {
    super();
    this.#settings = options.settings;
    this.#createEngine = options.createEngine;
    this.#openExternal = options.openExternal;
    this.#reportsDir = join(options.stateDir, 'reports');
    this.#intervalMs = options.intervalMs ?? 100;
    if (options.settings.problem) this.#warn(options.settings.problem);
  }

  /** The engine for the current settings, built once per change of settings. */
  engine(): Promise<UploadEngine> {
    if (this.#engine) return this.#engine;
    const engine = this.#createEngine(this.#settings.get());
    // A failed start (no token, embedded store down) is not cached: the next batch tries again.
    engine.catch(() => {
      if (this.#engine === engine) this.#engine = undefined;
    });
    this.#engine = engine;
    return engine;
  }

  /** Lists the batches an earlier run left unfinished, as `interrupted` and resumable. */
  async restoreUnfinished(): Promise<void> {
    const engine = await this.engine();
    for (const journal of engine.unfinished()) {
      if (this.#entries.has(journal.header.batchId)) continue;
      const table = new FileTable();
      for (const outcome of journal.finished.values()) table.finish(outcome);
      const { batchId, root, destination, onConflict = 'skip' } = journal.header;
      this.#entries.set(batchId, {
        view: {
          batchId,
          root,
          ...(destination ? { destination } : {}),
          onConflict,
          phase: 'interrupted',
          hasReport: false,
        },
        table,
        engine,
        journal,
        plans: 0,
      });
    }
    this.#touch();
  }

  /** Adds one batch per path and plans it against the signer's policy; returns the ids at once. */
  addBatches(paths: string[]): string[] {
    return paths.map((path) => {
      const root = resolve(path);
      const batchId = newBatchId(root);
      const entry: Entry = {
        view: { batchId, root, onConflict: 'skip', phase: 'planning', hasReport: false },
        table: new FileTable(),
        plans: 0,
      };
      this.#entries.set(batchId, entry);
      void this.#plan(entry);
      this.#touch();
      return batchId;
    });
  }

  /**
   * Sets where a batch that has not started goes and what it does with conflicts; a new destination
   * plans it again against what that destination holds. Throws, naming it, on a destination that is no folder.
   */
  configureBatch({ batchId, destination, onConflict }: ConfigureBatchRequest): void {
    const entry = this.#entry(batchId);
    const { phase } = entry.view;
    if (phase !== 'ready' && phase !== 'planning' && phase !== 'error') {
      throw new Error(`Cannot change where batch \`${batchId}\` goes while it is \`${phase}\``);
    }
    let folder: string | undefined;
    if (destination.trim()) {
      const normalised = normaliseDestination(destination.trim());
      if ('code' in normalised) throw new Error(normalised.message);
      folder = normalised.destination;
    }
    entry.view.onConflict = onConflict;
    if (folder !== entry.view.destination || phase === 'error') {
      if (folder) entry.view.destination = folder;
      else delete entry.view.destination;
      entry.table = new FileTable();
      delete entry.view.plan;
      delete entry.plan;
      delete entry.view.error;
      entry.view.phase = 'planning';
      void this.#plan(entry);
    }
    this.#touch();
  }

  /** Carries out one action on a batch; an action that does not fit the batch's phase is refused. */
  control({ batchId, action }: ControlRequest): void {
    const entry = this.#entry(batchId);
    const { phase } = entry.view;
    const refuse = (): never => {
      throw new Error(`Cannot \`${action}\` batch \`${batchId}\` while it is \`${phase}\``);
    };
    if (action === 'start') {
      if (phase !== 'ready') refuse();
      const { destination, onConflict } = entry.view;
      if (destination) this.#settings.rememberDestination(destination);
      this.#run(entry, entry.engine!.batch(entry.view.root, { plan: entry.plan!, onConflict }));
    } else if (action === 'pause') {
      if (phase !== 'uploading') refuse();
      entry.batch!.pause();
      entry.view.phase = 'paused';
    } else if (action === 'resume') {
      if (phase === 'interrupted') this.#run(entry, entry.engine!.resume(entry.journal!));
      else if (phase === 'paused') {
        entry.batch!.resume();
        entry.view.phase = 'uploading';
      } else refuse();
    } else if (action === 'cancel') {
      if (phase === 'uploading' || phase === 'paused') entry.batch!.cancel();
      else if (phase === 'ready' || phase === 'planning' || phase === 'interrupted') this.#entries.delete(batchId);
      else refuse();
    } else if (action === 'retryFailed') {
      this.#retryFailed(entry);
    } else if (action === 'remove') {
      if (phase === 'uploading' || phase === 'paused') refuse();
      this.#entries.delete(batchId);
    }
    this.#touch();
  }

  /** Pauses, resumes or cancels one file of a running batch. */
  controlFile({ batchId, path, action }: ControlFileRequest): void {
    const entry = this.#entry(batchId);
    if (!entry.batch || !entry.table.has(path))
      throw new Error(`No file \`${path}\` uploading in batch \`${batchId}\``);
    if (action === 'pause') entry.batch.pauseFile(path);
    else if (action === 'resume') entry.batch.resumeFile(path);
    else entry.batch.cancelFile(path);
    if (action !== 'cancel') entry.table.setPaused(path, action === 'pause');
    this.#touch();
  }

  /** One page of a batch's file table. */
  listFiles({ batchId, filter, offset, limit, query }: ListFilesRequest): FilePage {
    return this.#entry(batchId).table.page(filter, offset, limit, query);
  }

  /** A fresh view link of an uploaded file, from the signer; throws when it gives none. */
  async viewUrl({ batchId, path }: FileRef): Promise<string> {
    const entry = this.#entry(batchId);
    const key = entry.table.key(path);
    if (!key) throw new Error(`File \`${path}\` of batch \`${batchId}\` has no view link: it is not uploaded`);
    const [link] = await (entry.engine ?? (await this.engine())).signer.links([key]);
    if (link?.status !== 'ok') throw new Error(`No view link for \`${path}\`: ${link?.message ?? 'no answer'}`);
    return link.url;
  }

  /** The JSON report of a finished batch; throws when it has none yet. */
  reportPath(batchId: string): string {
    if (!this.#entry(batchId).view.hasReport) throw new Error(`Batch \`${batchId}\` has no report yet`);
    return join(this.#reportsDir, `${batchId}.json`);
  }

  /** The settings without the token. */
  settings(): ReturnType<SettingsStore['view']> {
    return this.#settings.view();
  }

  /** Saves settings; batches added from now on use an engine built from them. */
  async saveSettings(input: SettingsInput): Promise<ReturnType<SettingsStore['view']>> {
    const before = this.#settings.get().signIn;
    const view = this.#settings.save(input);
    // A sign-in forgotten with its signer is revoked too, so its refresh token outlives it nowhere.
    if (before && !this.#settings.get().signIn) await revokeSignIn(before, this.#signInFetch());
    this.#engine = undefined;
    return view;
  }

  /** Signs in to the signer's identity provider in the system browser; batches added from now on use it. */
  async signIn(): Promise<ReturnType<SettingsStore['view']>> {
    const { signerUrl } = this.#settings.get();
    if (!signerUrl) throw new Error('The embedded signer takes no sign-in: set a signer URL in Settings first');
    if (!this.#openExternal) throw new Error('This window cannot open the system browser to sign in');
    try {
      this.#settings.setSignIn(await browserSignIn(signerUrl, this.#openExternal, this.#signInFetch()));
    } catch (error) {
      if (error instanceof SignInError) throw new Error(`${error.message}. ${hintFor(error.code)}`, { cause: error });
      throw error;
    }
    this.#engine = undefined;
    return this.#settings.view();
  }

  /** Forgets the sign-in and revokes its refresh token at the provider; batches added from now on need a token or a new sign-in. */
  async signOut(): Promise<ReturnType<SettingsStore['view']>> {
    const gone = this.#settings.get().signIn;
    this.#settings.setSignIn(undefined);
    this.#engine = undefined;
    if (gone) await revokeSignIn(gone, this.#signInFetch());
    return this.#settings.view();
  }

  /** The `fetch` a sign-in uses: the extra CA and manual proxy of the settings (else the environment's proxy). */
  #signInFetch(): SmallFetch {
    const { caFile, proxy } = this.#settings.get();
    return signInFetch({
      caFile: caFile ?? undefined,
      proxy:
        proxy.mode === 'manual'
          ? manualProxy(proxy.url, proxy.noProxy)
          : proxy.mode === 'none'
            ? () => undefined
            : undefined,
    });
  }

  /** True while any batch is uploading or paused mid-way. */
  busy(): boolean {
    return [...this.#entries.values()].some((e) => e.view.phase === 'uploading' || e.view.phase === 'paused');
  }

  /** Everything the window shows, now. */
  snapshot(): DesktopUpdate {
    const views = [...this.#entries.values()].map((entry) => ({ ...entry.view }));
    const running = views.filter((v) => v.progress && (v.phase === 'uploading' || v.phase === 'paused'));
    return {
      batches: views,
      recentDestinations: this.#settings.recentDestinations(),
      overall: combineProgress(running.map((v) => v.progress!)),
      warnings: [...this.#warnings],
    };
  }

  /** Stops the update timer. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #entry(batchId: string): Entry {
    const entry = this.#entries.get(batchId);
    if (!entry) throw new Error(`No batch \`${batchId}\``);
    return entry;
  }

  async #plan(entry: Entry): Promise<void> {
    const run = ++entry.plans;
    const { table } = entry;
    const { destination } = entry.view;
    try {
      const engine = await this.engine();
      entry.engine = engine;
      const policy = await engine.signer.policy();
      const plan = await engine.plan(entry.view.root, {
        followSymlinks: this.#settings.get().followSymlinks,
        batchId: entry.view.batchId,
        ...(destination ? { destination } : {}),
        onAccept: (path, size) => table.queue(path, size),
      });
      if (run !== entry.plans) return;
      entry.plan = plan;
      for (const outcome of [...plan.rejected, ...plan.skipped, ...plan.alreadyThere]) table.finish(outcome);
      for (const conflict of plan.conflicts) table.queue(conflict.path, conflict.size, `Conflict: ${conflict.reason}`);
      entry.view.plan = summarise(plan, policy.overwrite);
      if (entry.view.phase === 'planning') entry.view.phase = 'ready';
    } catch (error) {
      if (run !== entry.plans) return;
      entry.view.error = actionable(error);
      entry.view.phase = 'error';
    }
    this.#touch();
  }

  #run(entry: Entry, batch: Batch): void {
    entry.batch = batch;
    entry.view.phase = 'uploading';
    delete entry.view.error;
    batch.on('progress', (progress) => {
      entry.view.progress = progress;
      entry.table.setActive(progress.active);
      this.#touch();
    });
    batch.on('file', (outcome) => {
      entry.table.finish(outcome);
      this.#touch();
    });
    batch.on('warning', (warning) => this.#warn(warning));
    void batch
      .run()
      .then(async (report) => {
        try {
          makePrivateDir(this.#reportsDir);
          await writeReport(report, join(this.#reportsDir, batch.id));
          entry.view.hasReport = true;
        } catch (error) {
          this.#warn(
            `Cannot write the report of ${batch.id}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
          );
        }
        entry.view.progress = batch.progress();
        entry.view.phase = entry.view.progress.state === 'cancelled' ? 'cancelled' : 'done';
      })
      .catch((error: unknown) => {
        entry.view.error = actionable(error);
        entry.view.phase = 'error';
      })
      .finally(() => {
        this.#touch();
        this.emit('ended', { ...entry.view });
      });
  }

  #retryFailed(entry: Entry): void {
    const { phase, batchId } = entry.view;
    if (phase !== 'done' && phase !== 'error') {
      throw new Error(`Cannot \`retryFailed\` batch \`${batchId}\` while it is \`${phase}\``);
    }
    const journal = entry.engine?.journal(batchId);
    if (!entry.engine || !journal) {
      // Failed before any journal was written (signer unreachable, token refused): plan afresh.
      entry.view.phase = 'planning';
      delete entry.view.error;
      void this.#plan(entry).then(() => entry.view.phase === 'ready' && this.control({ batchId, action: 'start' }));
      return;
    }
    for (const row of entry.table.failed()) {
      journal.finished.delete(row.path);
      entry.table.queue(row.path, row.size);
    }
    entry.view.hasReport = false;
    this.#run(entry, entry.engine.resume(journal));
  }

  #warn(warning: string): void {
    this.#warnings.push(warning);
    if (this.#warnings.length > MAX_WARNINGS) this.#warnings.shift();
    this.#touch();
  }

  #touch(): void {
    this.#dirty = true;
    this.#timer ??= setInterval(() => {
      if (!this.#dirty) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        return;
      }
      this.#dirty = false;
      this.emit('update', this.snapshot());
    }, this.#intervalMs);
  }
}
