import { useState, type DragEvent } from 'react';
import type { DesktopApi } from '../api';

/** Where folders and files are dropped or picked; calls `onAdd` with their paths. */
export function DropZone({ api, onAdd }: { api: DesktopApi; onAdd: (paths: string[]) => void }) {
  const [dragging, setDragging] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length) void api.addDropped(files).then(onAdd);
  };
  return (
    <section
      className={dragging ? 'drop drop-active' : 'drop'}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      aria-label="Drop folders or files here"
    >
      <p>{dragging ? 'Let go to add them, together, as one batch' : 'Drop folders or files here, or'}</p>
      <div className="drop-actions">
        <button onClick={() => void api.pickFolders().then(onAdd)}>Add folder…</button>
        <button onClick={() => void api.pickFiles().then(onAdd)}>Add files…</button>
      </div>
    </section>
  );
}
