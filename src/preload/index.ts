import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { IPC } from '../shared/ipc-channels';
import type { HoistApi } from '../shared/ipc';
import type { DesktopUpdate } from '../shared/desktop';

// The only bridge between the page and the main process: a typed API, no raw ipcRenderer.
const api: HoistApi & { addDropped(files: File[]): Promise<string[]> } = {
  pickFolders: () => ipcRenderer.invoke(IPC.pickFolders),
  pickFiles: () => ipcRenderer.invoke(IPC.pickFiles),
  pickCaFile: () => ipcRenderer.invoke(IPC.pickCaFile),
  addBatches: (paths) => ipcRenderer.invoke(IPC.addBatches, paths),
  configureBatch: (request) => ipcRenderer.invoke(IPC.configureBatch, request),
  signIn: () => ipcRenderer.invoke(IPC.signIn),
  signOut: () => ipcRenderer.invoke(IPC.signOut),
  control: (request) => ipcRenderer.invoke(IPC.control, request),
  controlFile: (request) => ipcRenderer.invoke(IPC.controlFile, request),
  listFiles: (request) => ipcRenderer.invoke(IPC.listFiles, request),
  copyLink: (ref) => ipcRenderer.invoke(IPC.copyLink, ref),
  copyDetails: (ref) => ipcRenderer.invoke(IPC.copyDetails, ref),
  checkSigner: () => ipcRenderer.invoke(IPC.checkSigner),
  openReport: (batchId) => ipcRenderer.invoke(IPC.openReport, batchId),
  copyPlace: (batchId) => ipcRenderer.invoke(IPC.copyPlace, batchId),
  openPlace: (batchId) => ipcRenderer.invoke(IPC.openPlace, batchId),
  getSettings: () => ipcRenderer.invoke(IPC.getSettings),
  saveSettings: (input) => ipcRenderer.invoke(IPC.saveSettings, input),
  onUpdate: (listener) => {
    const handler = (_event: IpcRendererEvent, update: DesktopUpdate): void => listener(update);
    ipcRenderer.on(IPC.update, handler);
    return () => void ipcRenderer.off(IPC.update, handler);
  },
  // Paths only from real File objects the person dropped: the page cannot name a path of its own.
  addDropped: (files) =>
    ipcRenderer.invoke(IPC.grantDropped, files.map((file) => webUtils.getPathForFile(file)).filter(Boolean)),
};

contextBridge.exposeInMainWorld('hoist', api);
