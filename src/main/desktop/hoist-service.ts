import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { browsePage, normaliseDestination } from '@hoist/protocol';
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
import { hintFor, type AccountView, type BatchView, type DesktopUpdate, type FilePage } from '../../shared/desktop';
import type {
  ConfigureBatchRequest,
  ControlFileRequest,
  ControlRequest,
  FileRef,
  ListFilesRequest,
  SettingsInput,
} from '../../shared/ipc';
import { combineProgress, formatBytes } from '../../shared/progress';
import { actionsFor, canConfigure, isRunning } from '../../shared/batch-actions';
import { FileTable } from './file-table';
import type { SettingsStore } from './settings-store';
import { SignInError } from '../../sign-in';
import { Account, type EngineFactory } from './account';
import { summarise } from './plan-summary';
import { selectionOf } from './selection';
import { UpdateThrottle } from './update-throttle';
import { readableReason } from './readable-reason';

export type { EngineFactory } from './account';

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
  /** Set once the person chose where the batch goes: a folder dropped again then no longer continues where it went. */
  chosen?: boolean;
  /** The user's prefix on the signer, from the plan's policy. */
  prefix?: string;
  /** The policy's page that shows a folder, with `{path}` in it, when the signer gives one. */
  browseUrl?: string;
  /** The entries of the root this batch takes, when several paths were dropped or picked together. */
  only?: string[];
}

const MAX_WARNINGS = 5;

/** The batch's folder in the bucket (`users/ann/trip/`), once its plan has read the user's prefix. */
function folderBase(entry: Entry): string | undefined {
  if (!entry.prefix) return undefined;
  const named = entry.view.destination ? normaliseDestination(entry.view.destination) : undefined;
  const folder = named && 'destination' in named ? named.destination : entry.view.batchId;
  return `${entry.prefix}/${folder}/`;
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
  readonly #account: Account;
  readonly #settings: SettingsStore;
  readonly #reportsDir: string;
  readonly #updates: UpdateThrottle;
  readonly #warnings: string[] = [];

  constructor(options: {
    settings: SettingsStore;
    createEngine: EngineFactory;
    stateDir: string;
    intervalMs?: number;
    /** Opens a URL in the system browser, for signing in. */
    openExternal?: (url: string) => Promise<void>;
    /** A warning to show from the start. */
    notice?: string;
  }) {
    super();
    this.#account = new Account(options.settings, options.createEngine, options.openExternal);
    this.#settings = options.settings;
    this.#reportsDir = join(options.stateDir, 'reports');
    this.#updates = new UpdateThrottle(() => this.emit('update', this.snapshot()), options.intervalMs ?? 100);
    if (options.settings.problem) this.#warn(options.settings.problem);
    if (options.notice) this.#warn(options.notice);
  }

  /** The engine for the current settings, built once per change of settings. */
  engine(): Promise<UploadEngine> {
    return this.#account.engine();
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

  /**
   * Adds what was dropped or picked at once as one batch (several paths go together under their common
   * folder) and plans it against the signer's policy; returns its id at once.
   */
  addBatches(paths: string[]): string[] {
    const { root, only } = selectionOf(paths);
    const batchId = newBatchId(root);
    const entry: Entry = {
      view: {
        batchId,
        root,
        ...(only ? { items: only.length } : {}),
        onConflict: 'skip',
        phase: 'planning',
        hasReport: false,
      },
      table: new FileTable(),
      plans: 0,
      ...(only ? { only } : {}),
    };
    this.#entries.set(batchId, entry);
    void this.#plan(entry);
    this.#touch();
    return [batchId];
  }

  /**
   * Sets where a batch that has not started goes and what it does with conflicts; a new destination
   * plans it again against what that destination holds. Throws, naming it, on a destination that is no folder.
   */
  configureBatch({ batchId, destination, onConflict }: ConfigureBatchRequest): void {
    const entry = this.#entry(batchId);
    const { phase } = entry.view;
    if (!canConfigure(entry.view)) {
      throw new Error(`Cannot change where batch \`${batchId}\` goes while it is \`${phase}\``);
    }
    let folder: string | undefined;
    if (destination.trim()) {
      const normalised = normaliseDestination(destination.trim());
      if ('code' in normalised) throw new Error(normalised.message);
      folder = normalised.destination;
    }
    entry.view.onConflict = onConflict;
    if (folder !== entry.view.destination) entry.chosen = true;
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
    if (!actionsFor(entry.view).includes(action)) {
      throw new Error(`Cannot \`${action}\` batch \`${batchId}\` while it is \`${phase}\``);
    }
    if (action === 'start') {
      const { destination, onConflict } = entry.view;
      if (destination) this.#settings.rememberDestination(destination);
      this.#run(entry, entry.engine!.batch(entry.view.root, { plan: entry.plan!, onConflict }));
    } else if (action === 'pause') {
      entry.batch!.pause();
      entry.view.phase = 'paused';
    } else if (action === 'resume' && phase === 'interrupted') {
      this.#run(entry, entry.engine!.resume(entry.journal!));
    } else if (action === 'resume') {
      entry.batch!.resume();
      entry.view.phase = 'uploading';
    } else if (action === 'cancel' && isRunning(phase)) {
      entry.batch!.cancel();
    } else if (action === 'retryFailed') {
      this.#retryFailed(entry);
    } else {
      // Discarding a batch that never ran, or removing one that ended.
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
    const entry = this.#entry(batchId);
    const page = entry.table.page(filter, offset, limit, query);
    const base = folderBase(entry);
    for (const row of page.rows) if (row.reason) row.reason = readableReason(row.reason, base);
    return page;
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

  /** A file's path, status and whole reason, as text to copy; throws, naming it, for a file the batch lacks. */
  details({ batchId, path }: FileRef): string {
    const row = this.#entry(batchId).table.row(path);
    if (!row) throw new Error(`Batch \`${batchId}\` has no file \`${path}\``);
    return `${path}\n${row.status}${row.reason ? `: ${row.reason}` : ''}`;
  }

  /** Who this person is to the signer of the saved settings, and what they may upload there. */
  async account(): Promise<AccountView> {
    const { signer } = await this.engine();
    const [policy, version] = await Promise.all([signer.policy(), signer.version().catch(() => undefined)]);
    return {
      signer: this.#settings.get().signerUrl || 'embedded',
      version: version ?? null,
      user: policy.user,
      prefix: policy.prefix,
      destinations: policy.destinations ?? null,
      allowedTypes: policy.allowedTypes,
      maxFileSize: policy.maxFileSize,
      quotas: (policy.quotas ?? []).map(
        (q) => `${q.description}: ${q.name === 'bytesPerDay' ? formatBytes(q.remaining) : `${q.remaining} files`} left`,
      ),
    };
  }

  /** The JSON report of a finished batch; throws when it has none yet. */
  reportPath(batchId: string): string {
    if (!this.#entry(batchId).view.hasReport) throw new Error(`Batch \`${batchId}\` has no report yet`);
    return join(this.#reportsDir, `${batchId}.json`);
  }

  /** Where a batch's files land in the bucket (`users/ann/trip/`); throws before its plan has read it. */
  placeOf(batchId: string): string {
    const { place } = this.#entry(batchId).view;
    if (!place) throw new Error(`Batch \`${batchId}\` has no destination yet: it is not planned`);
    return place.path;
  }

  /** The signer's page that shows where a batch's files land; throws when the signer gives none. */
  placePage(batchId: string): string {
    const entry = this.#entry(batchId);
    if (!entry.browseUrl) throw new Error(`The signer gives no page to open batch \`${batchId}\`'s destination`);
    return browsePage(entry.browseUrl, this.placeOf(batchId));
  }

  /** The settings without the token. */
  settings(): ReturnType<SettingsStore['view']> {
    return this.#settings.view();
  }

  /** Saves settings; batches added from now on use an engine built from them. */
  saveSettings(input: SettingsInput): Promise<ReturnType<SettingsStore['view']>> {
    return this.#account.save(input);
  }

  /** Signs in to the signer's identity provider in the system browser; batches added from now on use it. */
  signIn(): Promise<ReturnType<SettingsStore['view']>> {
    return this.#account.signIn();
  }

  /** Forgets the sign-in and revokes its refresh token at the provider; batches added from now on need a token or a new sign-in. */
  signOut(): Promise<ReturnType<SettingsStore['view']>> {
    return this.#account.signOut();
  }

  /** True while any batch is uploading or paused mid-way. */
  busy(): boolean {
    return [...this.#entries.values()].some((e) => isRunning(e.view.phase));
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
    this.#updates.close();
  }

  #entry(batchId: string): Entry {
    const entry = this.#entries.get(batchId);
    if (!entry) throw new Error(`No batch \`${batchId}\``);
    return entry;
  }

  async #plan(entry: Entry): Promise<void> {
    const run = ++entry.plans;
    const { table } = entry;
    try {
      const engine = await this.engine();
      entry.engine = engine;
      const policy = await engine.signer.policy();
      entry.prefix = policy.prefix;
      if (policy.browseUrl) entry.browseUrl = policy.browseUrl;
      else delete entry.browseUrl;
      // A folder dropped again continues into where it went, so only what is new or changed moves.
      const before = entry.chosen ? undefined : engine.rememberedDestination(entry.view.root, policy.prefix);
      if (before && entry.view.destination === undefined) entry.view.destination = before;
      const { destination } = entry.view;
      const plan = await engine.plan(entry.view.root, {
        followSymlinks: this.#settings.get().followSymlinks,
        batchId: entry.view.batchId,
        ...(destination ? { destination } : {}),
        ...(entry.only ? { only: entry.only } : {}),
        onAccept: (path, size) => table.queue(path, size),
      });
      if (run !== entry.plans) return;
      entry.plan = plan;
      for (const outcome of [...plan.rejected, ...plan.skipped, ...plan.alreadyThere]) table.finish(outcome);
      for (const conflict of plan.conflicts) table.queue(conflict.path, conflict.size, `Conflict: ${conflict.reason}`);
      const base = folderBase(entry)!;
      entry.view.plan = summarise(plan, policy.overwrite, base);
      entry.view.place = { path: base, canOpen: entry.browseUrl !== undefined };
      if (entry.view.phase === 'planning') entry.view.phase = 'ready';
      // With the setting on, a plan with nothing to ask about starts at once.
      if (this.#settings.get().autoStart && entry.view.phase === 'ready' && !plan.conflicts.length) {
        this.#touch();
        this.control({ batchId: entry.view.batchId, action: 'start' });
        return;
      }
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
        if (entry.prefix) this.#remember(entry, batch);
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
    const { batchId } = entry.view;
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

  /** Remembers where a batch of this folder went, for the next time it is dropped. */
  #remember(entry: Entry, batch: Batch): void {
    try {
      entry.engine?.rememberDestination(entry.view.root, entry.prefix!, batch.destination ?? batch.id);
    } catch (error) {
      this.#warn(
        `Cannot remember where ${entry.view.root} went: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }

  #warn(warning: string): void {
    this.#warnings.push(warning);
    if (this.#warnings.length > MAX_WARNINGS) this.#warnings.shift();
    this.#touch();
  }

  #touch(): void {
    this.#updates.touch();
  }
}
