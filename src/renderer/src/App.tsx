import { useCallback, useEffect, useState } from 'react';
import type { DesktopUpdate } from '../../shared/desktop';
import { combineProgress } from '../../shared/progress';
import type { ConfigureBatchRequest, ControlRequest } from '../../shared/ipc';
import type { DesktopApi } from './api';
import { BatchCard } from './components/BatchCard';
import { DropZone } from './components/DropZone';
import { FileTable } from './components/FileTable';
import { OverallBar } from './components/OverallBar';
import { SettingsDialog } from './components/SettingsDialog';
import { formatCount } from './format';

const EMPTY: DesktopUpdate = {
  batches: [],
  overall: combineProgress([]),
  warnings: [],
  recentDestinations: [],
};

/** The window: overall progress, a drop zone, the batch list and the selected batch's files. */
export function App({ api }: { api: DesktopApi }) {
  const [update, setUpdate] = useState(EMPTY);
  const [tick, setTick] = useState(0);
  const [selected, setSelected] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [settingsOpen, setSettingsOpen] = useState(false);

  useEffect(
    () =>
      api.onUpdate((next) => {
        setUpdate(next);
        setTick((t) => t + 1);
      }),
    [api],
  );
  const onError = useCallback((message: string) => setProblem(message), []);

  const add = (paths: string[]) => {
    if (!paths.length) return;
    setProblem(undefined);
    api.addBatches(paths).then(
      (ids) => setSelected(ids[0]),
      (error: Error) => setProblem(error.message),
    );
  };
  const act = (batchId: string, action: ControlRequest['action']) =>
    void api.control({ batchId, action }).catch((error: Error) => setProblem(error.message));
  const configure = (request: ConfigureBatchRequest) => api.configureBatch(request);

  const current = update.batches.find((b) => b.batchId === selected) ?? update.batches[0];
  const ready = update.batches.filter((b) => b.phase === 'ready');

  return (
    <div className="app">
      <header>
        <h1>Hoist</h1>
        <OverallBar overall={update.overall} batches={update.batches} />
        <button onClick={() => setSettingsOpen(true)}>Settings</button>
      </header>
      <main>
        <aside>
          <DropZone api={api} onAdd={add} />
          {problem && (
            <p role="alert" className="error">
              {problem}
            </p>
          )}
          {update.warnings.map((warning) => (
            <p key={warning} role="status" className="warning">
              {warning}
            </p>
          ))}
          {ready.length > 1 && (
            <button
              className="primary upload-all"
              title="Starts every planned batch; files in conflict are skipped unless a batch says otherwise"
              onClick={() => ready.forEach((batch) => act(batch.batchId, 'start'))}
            >
              Upload all ({formatCount(ready.length)})
            </button>
          )}
          <ul className="batches" aria-label="Batches">
            {update.batches.map((batch) => (
              <BatchCard
                key={batch.batchId}
                batch={batch}
                selected={batch.batchId === current?.batchId}
                onSelect={() => setSelected(batch.batchId)}
                recentDestinations={update.recentDestinations}
                onAction={(action) => act(batch.batchId, action)}
                onConfigure={configure}
                onOpenReport={() => void api.openReport(batch.batchId).catch((e: Error) => setProblem(e.message))}
                onPlace={(what) =>
                  (what === 'copy' ? api.copyPlace(batch.batchId) : api.openPlace(batch.batchId)).then(
                    () => true,
                    (e: Error) => {
                      setProblem(e.message);
                      return false;
                    },
                  )
                }
                onOpenSettings={() => setSettingsOpen(true)}
              />
            ))}
          </ul>
        </aside>
        {current ? (
          <FileTable
            key={current.batchId}
            api={api}
            batchId={current.batchId}
            fileControls={current.phase === 'uploading'}
            tick={tick}
            onError={onError}
          />
        ) : (
          <section className="files empty" aria-label="Files">
            <p>Add a folder to see its files here.</p>
          </section>
        )}
      </main>
      {settingsOpen && <SettingsDialog api={api} onClose={() => setSettingsOpen(false)} />}
    </div>
  );
}
