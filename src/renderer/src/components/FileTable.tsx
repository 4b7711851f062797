import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, useState } from 'react';
import type { FilePage, FileRow } from '../../../shared/desktop';
import type { FileFilter } from '../../../shared/ipc';
import type { DesktopApi } from '../api';
import { formatCount, formatSize, percent } from '../format';

const ROW_HEIGHT = 32;
const OVERSCAN = 20;
/** Pages start and end on multiples of this, so scrolling fetches once per block, not once per frame. */
const BLOCK = 50;
const FILTERS: { id: FileFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'uploading', label: 'Uploading' },
  { id: 'waiting', label: 'Waiting' },
  { id: 'rejected', label: 'Not allowed' },
  { id: 'failed', label: 'Failed' },
  { id: 'done', label: 'Done' },
];
const STATUS_LABEL: Record<FileRow['status'], string> = {
  queued: 'Waiting',
  uploading: 'Uploading',
  paused: 'Paused',
  uploaded: 'Uploaded',
  skipped: 'Skipped',
  rejected: 'Not allowed',
  failed: 'Failed',
};

function RowCells({
  row,
  fileControls,
  onFile,
  onCopy,
  onCopyDetails,
}: {
  row: FileRow;
  fileControls: boolean;
  onFile: (path: string, action: 'pause' | 'resume' | 'cancel') => void;
  onCopy: (path: string) => void;
  onCopyDetails: (path: string) => void;
}) {
  const active = fileControls && (row.status === 'queued' || row.status === 'uploading' || row.status === 'paused');
  return (
    <>
      <span className="cell-path" title={row.path}>
        {row.path}
      </span>
      <span className="cell-size num">{formatSize(row.size)}</span>
      <span className={`cell-status status-${row.status}`}>
        {row.status === 'uploading' ? `${percent(row.bytesDone, row.size)}%` : STATUS_LABEL[row.status]}
      </span>
      <span className={`cell-reason reason-${row.status}`} title={row.reason}>
        {row.reason ?? ''}
      </span>
      <span className="cell-actions">
        {active &&
          (row.status === 'paused' ? (
            <button onClick={() => onFile(row.path, 'resume')} aria-label={`Resume ${row.path}`}>
              Resume
            </button>
          ) : (
            <button onClick={() => onFile(row.path, 'pause')} aria-label={`Pause ${row.path}`}>
              Pause
            </button>
          ))}
        {active && (
          <button onClick={() => onFile(row.path, 'cancel')} aria-label={`Cancel ${row.path}`}>
            Cancel
          </button>
        )}
        {row.reason && (
          <button onClick={() => onCopyDetails(row.path)} aria-label={`Copy details of ${row.path}`}>
            Copy details
          </button>
        )}
        {row.hasLink && (
          <button onClick={() => onCopy(row.path)} aria-label={`Copy link to ${row.path}`}>
            Copy link
          </button>
        )}
      </span>
    </>
  );
}

const sameRow = (a: FileRow, b: FileRow): boolean =>
  a.path === b.path &&
  a.status === b.status &&
  a.bytesDone === b.bytesDone &&
  a.size === b.size &&
  a.reason === b.reason &&
  a.hasLink === b.hasLink;

/** A row re-renders only when what it shows changed, not on every fetch of its page. */
const Row = memo(
  RowCells,
  (a, b) =>
    a.fileControls === b.fileControls &&
    a.onFile === b.onFile &&
    a.onCopy === b.onCopy &&
    a.onCopyDetails === b.onCopyDetails &&
    sameRow(a.row, b.row),
);

/**
 * A batch's files, virtualized: only the rows in view (plus a margin) are fetched and rendered, so
 * 100,000 rows scroll as smoothly as 10. The visible page is fetched again on every update tick.
 */
export function FileTable({
  api,
  batchId,
  fileControls,
  tick,
  onError,
}: {
  api: DesktopApi;
  batchId: string;
  /** True while the batch uploads (not while it is paused as a whole): files can be paused or cancelled one by one. */
  fileControls: boolean;
  tick: number;
  onError: (message: string) => void;
}) {
  const [filter, setFilter] = useState<FileFilter>('all');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState<FilePage>();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: page?.total ?? 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 5,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  const offset = Math.max(0, Math.floor((first - OVERSCAN) / BLOCK) * BLOCK);
  const limit = Math.min(1000, Math.ceil((last + 1 + OVERSCAN) / BLOCK) * BLOCK - offset);

  useEffect(() => {
    let live = true;
    api
      .listFiles({ batchId, filter, offset, limit, ...(query ? { query } : {}) })
      .then((next) => live && setPage(next))
      .catch((error: Error) => live && onError(error.message));
    return () => {
      live = false;
    };
  }, [api, batchId, filter, query, offset, limit, tick, onError]);

  const onFile = useCallback(
    (path: string, action: 'pause' | 'resume' | 'cancel') =>
      void api.controlFile({ batchId, path, action }).catch((error: Error) => onError(error.message)),
    [api, batchId, onError],
  );
  const onCopy = useCallback(
    (path: string) => void api.copyLink({ batchId, path }).catch((error: Error) => onError(error.message)),
    [api, batchId, onError],
  );

  const onCopyDetails = useCallback(
    (path: string) => void api.copyDetails({ batchId, path }).catch((error: Error) => onError(error.message)),
    [api, batchId, onError],
  );

  return (
    <section className="files" aria-label="Files">
      <div role="tablist" aria-label="Filter files" className="filters">
        {FILTERS.map(({ id, label }) => (
          <button
            key={id}
            role="tab"
            aria-selected={filter === id}
            onClick={() => {
              setFilter(id);
              scroller.current?.scrollTo({ top: 0 });
            }}
          >
            {label} <span className="num count">{formatCount(page?.counts[id] ?? 0)}</span>
          </button>
        ))}
        <input
          type="search"
          className="name-filter"
          aria-label="Filter by name"
          placeholder="Filter by name"
          value={query}
          maxLength={256}
          onChange={(event) => {
            setQuery(event.target.value);
            scroller.current?.scrollTo({ top: 0 });
          }}
        />
        {query && <span className="num muted">{formatCount(page?.total ?? 0)} match</span>}
      </div>
      <div className="file-head" aria-hidden="true">
        <span>Path</span>
        <span>Size</span>
        <span>Status</span>
        <span>Reason</span>
      </div>
      <div ref={scroller} className="file-scroll" role="table" aria-rowcount={page?.total ?? 0} tabIndex={0}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = page?.rows[item.index - page.offset];
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 1}
                className="file-row"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                {row ? (
                  <Row
                    row={row}
                    fileControls={fileControls}
                    onFile={onFile}
                    onCopy={onCopy}
                    onCopyDetails={onCopyDetails}
                  />
                ) : (
                  <span className="cell-path muted">…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
