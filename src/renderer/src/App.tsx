import { useEffect, useState, type DragEvent } from 'react';
import { formatBytes, type BatchProgress } from '../../shared/progress';
import type { DesktopApi } from './api';

function BatchRow({ batch, api }: { batch: BatchProgress; api: DesktopApi }) {
  const done = batch.files.uploaded + batch.files.skipped + batch.files.failed;
  const percent = batch.bytes.total ? Math.floor((batch.bytes.done / batch.bytes.total) * 100) : 0;
  const finished = batch.state === 'done' || batch.state === 'cancelled';
  const act = (action: 'pause' | 'resume' | 'cancel') => void api.control({ batchId: batch.batchId, action });
  return (
    <li className="batch" aria-label={`Batch ${batch.root}`}>
      <div className="batch-head">
        <span className="batch-root" title={batch.root}>
          {batch.root}
        </span>
        <span className="batch-state">{batch.state}</span>
      </div>
      <progress max={100} value={percent} aria-label="Bytes uploaded" />
      <div className="batch-numbers">
        <span>
          {done}/{batch.files.total} files
        </span>
        <span>
          {formatBytes(batch.bytes.done)} / {formatBytes(batch.bytes.total)}
        </span>
        <span>{formatBytes(batch.throughput)}/s</span>
        <span className={batch.files.failed ? 'failed' : ''}>{batch.files.failed} failed</span>
      </div>
      {!finished && (
        <div className="batch-actions">
          {batch.state === 'paused' ? (
            <button onClick={() => act('resume')}>Resume</button>
          ) : (
            <button onClick={() => act('pause')}>Pause</button>
          )}
          <button onClick={() => act('cancel')}>Cancel</button>
        </div>
      )}
    </li>
  );
}

/** The window: a drop zone and folder picker on top, the batches with their progress below. */
export function App({ api }: { api: DesktopApi }) {
  const [batches, setBatches] = useState<BatchProgress[]>([]);
  const [error, setError] = useState<string>();
  const [dragging, setDragging] = useState(false);

  useEffect(
    () =>
      api.onProgress((updates) =>
        setBatches((current) => {
          const byId = new Map(current.map((b) => [b.batchId, b]));
          for (const update of updates) byId.set(update.batchId, update);
          return [...byId.values()];
        }),
      ),
    [api],
  );

  const add = (paths: string[]) => {
    if (paths.length) api.addBatches(paths).catch((e: Error) => setError(e.message));
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    add([...event.dataTransfer.files].map((file) => api.pathForFile(file)).filter(Boolean));
  };

  return (
    <main>
      <section
        className={dragging ? 'drop drop-active' : 'drop'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        aria-label="Drop folders here"
      >
        <p>Drop folders or files here</p>
        <button onClick={() => void api.pickFolders().then(add)}>Add folder…</button>
      </section>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <ul className="batches">
        {batches.map((batch) => (
          <BatchRow key={batch.batchId} batch={batch} api={api} />
        ))}
      </ul>
    </main>
  );
}
