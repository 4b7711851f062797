import type { IpcBackend } from '../ipc';
import type { HoistService } from './hoist-service';

/** What only the OS shell can do: native pickers, the clipboard, opening a file with its app. */
export interface NativeSide {
  pickFolders(): Promise<string[]>;
  pickFiles(): Promise<string[]>;
  copyText(text: string): void;
  openPath(path: string): Promise<void>;
}

/** The IPC backend: the service for everything, the native side for what needs the OS. */
export function desktopBackend(service: HoistService, native: NativeSide): IpcBackend {
  return {
    pickFolders: () => native.pickFolders(),
    pickFiles: () => native.pickFiles(),
    addBatches: (paths) => service.addBatches(paths),
    control: (request) => service.control(request),
    controlFile: (request) => service.controlFile(request),
    listFiles: (request) => service.listFiles(request),
    copyLink: async (ref) => native.copyText(await service.viewUrl(ref)),
    openReport: (batchId) => native.openPath(service.reportPath(batchId)),
    getSettings: () => service.settings(),
    saveSettings: (input) => service.saveSettings(input),
  };
}
