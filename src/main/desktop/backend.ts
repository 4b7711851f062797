import type { IpcBackend } from '../ipc';
import { GrantedPaths } from './granted-paths';
import type { HoistService } from './hoist-service';

/** What only the OS shell can do: native pickers, the clipboard, opening a file with its app. */
export interface NativeSide {
  pickFolders(): Promise<string[]>;
  pickFiles(): Promise<string[]>;
  copyText(text: string): void;
  openPath(path: string): Promise<void>;
}

/**
 * The IPC backend: the service for everything, the native side for what needs the OS. Batches start
 * only from paths the person picked or dropped in this session.
 */
export function desktopBackend(service: HoistService, native: NativeSide, granted = new GrantedPaths()): IpcBackend {
  return {
    pickFolders: async () => granted.grant(await native.pickFolders()),
    pickFiles: async () => granted.grant(await native.pickFiles()),
    grantDropped: (paths) => granted.grant(paths),
    addBatches: (paths) => {
      granted.assertGranted(paths);
      return service.addBatches(paths);
    },
    configureBatch: (request) => service.configureBatch(request),
    signIn: () => service.signIn(),
    signOut: () => service.signOut(),
    control: (request) => service.control(request),
    controlFile: (request) => service.controlFile(request),
    listFiles: (request) => service.listFiles(request),
    copyLink: async (ref) => native.copyText(await service.viewUrl(ref)),
    openReport: (batchId) => native.openPath(service.reportPath(batchId)),
    getSettings: () => service.settings(),
    saveSettings: (input) => service.saveSettings(input),
  };
}
