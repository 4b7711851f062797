import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC, type HoistApi } from '../shared/ipc';
import type { BatchProgress } from '../shared/progress';

// The only bridge between the page and the main process: a typed API, no raw ipcRenderer.
const api: HoistApi & { pathForFile(file: File): string } = {
  pickFolders: () => ipcRenderer.invoke(IPC.pickFolders),
  addBatches: (paths) => ipcRenderer.invoke(IPC.addBatches, paths),
  control: (request) => ipcRenderer.invoke(IPC.control, request),
  onProgress: (listener) => {
    const handler = (_event: IpcRendererEvent, batches: BatchProgress[]): void => listener(batches);
    ipcRenderer.on(IPC.progress, handler);
    return () => void ipcRenderer.off(IPC.progress, handler);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('hoist', api);
