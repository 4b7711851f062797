import { join, resolve } from 'node:path';
import type { LocalStack } from '@hoist/signer-server/local-stack';
import { withViewLinks, writeReport, type Batch, type UploadEngine } from '../engine';
import type { BatchReport } from '../shared/outcome';
import { OutcomeNotes, type FolderEnd } from './summary';
import type { Reporter } from './output';
import { batchOptions, destinationFor, type PushOptions } from './push-options';

/** What one folder's push works with. */
export interface FolderUpload {
  engine: UploadEngine;
  options: PushOptions;
  out: Reporter;
  /** The caller's prefix, to say where the files landed. */
  prefix: string;
  /** How many folders this push sends, to name each report apart. */
  folders: number;
  stack: LocalStack | undefined;
}

function reportBase(options: PushOptions, batch: Batch, count: number): string {
  if (!options.report) return join(options.stateDir, 'reports', batch.id);
  const base = options.report.replace(/\.(json|csv)$/u, '');
  return count > 1 ? `${base}-${batch.id}` : base;
}

/**
 * Uploads one folder as a batch, printing as it goes: resuming its unfinished batch, else continuing
 * into where it went before (or `--to`, or a fresh folder); remembers where it went for the next push.
 */
async function runBatch(upload: FolderUpload, folder: string): Promise<[Batch, BatchReport, OutcomeNotes]> {
  const { engine, options, out, prefix } = upload;
  const root = resolve(folder);
  const { destination, continued } = destinationFor(
    options,
    (source) => engine.rememberedDestination(source, prefix),
    root,
  );
  const unfinished = engine
    .unfinished()
    .find(
      (s) =>
        s.header.root === root &&
        (s.header.destination === destination || (!options.to && s.header.destination === undefined)),
    );
  const batch = unfinished ? engine.resume(unfinished) : engine.batch(root, batchOptions(options, destination));
  if (unfinished) out.info(`Resuming batch ${batch.id}: ${unfinished.finished.size} files already done`);
  else if (continued) {
    out.info(
      `${folder}: continuing into ${prefix}/${destination}/, where it went before: only new and changed files move (--new-folder starts a fresh folder)`,
    );
  }
  batch.on('progress', (p) => out.progress(p));
  const notes = new OutcomeNotes();
  batch.on('file', (f) => {
    notes.add(f);
    out.file(f);
  });
  batch.on('warning', (w) => out.warning(w));
  const report = await batch.run();
  try {
    engine.rememberDestination(root, prefix, batch.destination ?? batch.id);
  } catch (error) {
    out.warning(`Cannot remember where ${folder} went: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return [batch, report, notes];
}

/**
 * Where a finished batch's results are: view links (when asked for) and the report files.
 * A link or a report that cannot be had is a warning: the files are uploaded and verified all the same.
 */
async function finish(upload: FolderUpload, batch: Batch, ended: BatchReport): Promise<Record<string, string>> {
  const { engine, options, out } = upload;
  const where: Record<string, string> = {};
  let report = ended;
  if (options.links) {
    try {
      const linked = await withViewLinks(ended, engine.signer);
      report = linked.report;
      if (linked.expiresAt) where.links = `in the report, valid until ${linked.expiresAt}`;
    } catch (error) {
      out.warning(`No view links in the report: ${(error as Error).message}`);
    }
  }
  const base = reportBase(options, batch, upload.folders);
  try {
    const paths = await writeReport(report, base);
    Object.assign(where, { report: paths.json, csv: paths.csv });
  } catch (error) {
    out.warning(`Cannot write the report ${base}.json: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return where;
}

/** Uploads one folder and prints its summary; resolves to how it ended. */
export async function uploadFolder(upload: FolderUpload, folder: string): Promise<FolderEnd> {
  const startedAt = performance.now();
  const [batch, report, notes] = await runBatch(upload, folder);
  const written = await finish(upload, batch, report);
  const landing = {
    prefix: upload.prefix,
    folder: batch.destination ?? batch.id,
    ...(upload.stack ? { bucket: upload.stack.bucket } : {}),
  };
  const end = { folder, report, notes, landing, written, elapsedSeconds: (performance.now() - startedAt) / 1000 };
  upload.out.end(end);
  return end;
}
