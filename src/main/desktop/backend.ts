import type { IpcBackend } from '../ipc';
import type { SettingsView } from '../../shared/desktop';
import type { SettingsInput } from '../../shared/ipc';
import { shownProxy } from '../../shared/proxy-settings';
import { redactUrlCredentials } from '@hoist/protocol';
import { GrantedPaths } from './granted-paths';
import type { DesktopService } from './service-calls';

/** What only the OS shell can do: native pickers and prompts, the clipboard, opening a file with its app. */
export interface NativeSide {
  pickFolders(): Promise<string[]>;
  pickFiles(): Promise<string[]>;
  /** A PEM file the person picks, or undefined when they cancel. */
  pickCaFile(): Promise<string | undefined>;
  /** Asks the person in a native dialog, which the page cannot draw or answer; true when they agree. */
  confirm(message: string, detail: string): Promise<boolean>;
  copyText(text: string): void;
  openPath(path: string): Promise<void>;
  /** Opens an http(s) page in the system browser. */
  openUrl(url: string): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `url` when it is an https page (or http on this machine); throws, naming it, for anything else. */
function webPage(url: string): string {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'https:' && !(protocol === 'http:' && LOOPBACK.has(hostname)))
    throw new Error(`Expected an https page to open, got \`${url}\``);
  return url;
}

/** A change the page asks for that could send files or traffic somewhere the person did not mean. */
interface RiskyChange {
  message: string;
  detail: string;
  refused: string;
}

/** The changes from `current` to `input` that main asks the person about itself: a new proxy, following symlinks. */
function riskyChanges(current: SettingsView, input: SettingsInput): RiskyChange[] {
  const changes: RiskyChange[] = [];
  if (JSON.stringify(shownProxy(input.proxy)) !== JSON.stringify(current.proxy)) {
    const to =
      input.proxy.mode === 'manual'
        ? `through the proxy ${redactUrlCredentials(input.proxy.url)}`
        : input.proxy.mode === 'none'
          ? 'straight, through no proxy'
          : "as the system's proxy settings say";
    changes.push({
      message: `Send Hoist's connections to the signer and the store ${to}?`,
      detail: 'A proxy sees which hosts Hoist talks to, and every byte of a connection over plain http.',
      refused: 'the proxy change was not confirmed',
    });
  }
  if (input.followSymlinks && !current.followSymlinks) {
    changes.push({
      message: 'Follow symlinks that lead outside the folders you upload?',
      detail: 'The files they point to, anywhere on this computer, would be uploaded with the folder.',
      refused: 'following symlinks was not confirmed',
    });
  }
  return changes;
}

/**
 * The IPC backend: the service for everything, the native side for what needs the OS. Batches start
 * only from paths the person picked or dropped in this session; a CA file only from Browse…; a new
 * proxy, or following symlinks out of folders, only once the person agrees in a native dialog.
 */
export function desktopBackend(
  service: DesktopService,
  native: NativeSide,
  granted = new GrantedPaths(),
  grantedCa = new GrantedPaths(),
): IpcBackend {
  return {
    pickFolders: async () => granted.grant(await native.pickFolders()),
    pickFiles: async () => granted.grant(await native.pickFiles()),
    pickCaFile: async () => {
      const path = await native.pickCaFile();
      return path === undefined ? null : grantedCa.grant([path])[0]!;
    },
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
    copyDetails: async (ref) => native.copyText(await service.details(ref)),
    checkSigner: () => service.account(),
    openReport: async (batchId) => native.openPath(await service.reportPath(batchId)),
    copyPlace: async (batchId) => native.copyText(await service.placeOf(batchId)),
    openPlace: async (batchId) => native.openUrl(webPage(await service.placePage(batchId))),
    getSettings: () => service.settings(),
    saveSettings: async (input) => {
      const current = await service.settings();
      if (input.caFile !== null && input.caFile !== current.caFile) {
        grantedCa.assertGranted([input.caFile], 'pick the CA file with Browse…');
      }
      for (const change of riskyChanges(current, input)) {
        if (!(await native.confirm(change.message, change.detail))) {
          throw new Error(`Settings not saved: ${change.refused}`);
        }
      }
      return service.saveSettings(input);
    },
  };
}
