import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import * as z from 'zod';
import {
  AddBatchesSchema,
  ControlFileSchema,
  ConfigureBatchSchema,
  ControlSchema,
  FileRefSchema,
  ListFilesSchema,
  SettingsInputSchema,
  type HoistApi,
} from '../shared/ipc';
import { IPC } from '../shared/ipc-channels';
import { isAppUrl } from './app-url';

/** What the IPC handlers drive: every call of the renderer's API except the update subscription. */
export type IpcBackend = {
  [K in Exclude<keyof HoistApi, 'onUpdate'>]: (...args: Parameters<HoistApi[K]>) => unknown;
} & {
  /** Records the paths of files dropped on the window (the preload reads them from the File objects). */
  grantDropped(paths: string[]): unknown;
};

/** Thrown to the renderer when a call comes from elsewhere or carries a malformed payload. */
export class IpcRefused extends Error {
  override name = 'IpcRefused';
}

const NoPayload = z.undefined();
const BatchId = ControlSchema.shape.batchId;

/** The schema each channel's payload must match. */
const ROUTES = {
  pickFolders: [IPC.pickFolders, NoPayload],
  pickFiles: [IPC.pickFiles, NoPayload],
  pickCaFile: [IPC.pickCaFile, NoPayload],
  addBatches: [IPC.addBatches, AddBatchesSchema],
  grantDropped: [IPC.grantDropped, AddBatchesSchema],
  configureBatch: [IPC.configureBatch, ConfigureBatchSchema],
  signIn: [IPC.signIn, NoPayload],
  signOut: [IPC.signOut, NoPayload],
  control: [IPC.control, ControlSchema],
  controlFile: [IPC.controlFile, ControlFileSchema],
  listFiles: [IPC.listFiles, ListFilesSchema],
  copyLink: [IPC.copyLink, FileRefSchema],
  copyDetails: [IPC.copyDetails, FileRefSchema],
  checkSigner: [IPC.checkSigner, NoPayload],
  openReport: [IPC.openReport, BatchId],
  copyPlace: [IPC.copyPlace, BatchId],
  openPlace: [IPC.openPlace, BatchId],
  getSettings: [IPC.getSettings, NoPayload],
  saveSettings: [IPC.saveSettings, SettingsInputSchema],
} as const satisfies Record<keyof IpcBackend, readonly [string, z.ZodType]>;

function parse<T extends z.ZodType>(schema: T, payload: unknown, channel: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new IpcRefused(
      `Invalid payload on \`${channel}\` at \`${issue?.path.join('.') || '(root)'}\`: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

/**
 * Registers every handler; each checks the sender is our window's main frame showing one of the app's
 * own pages (`app://hoist/`, checklist item 17), then the payload.
 */
export function registerIpc(ipcMain: IpcMain, trusted: () => WebContents | undefined, backend: IpcBackend): void {
  const guard = (event: IpcMainInvokeEvent, channel: string): void => {
    const contents = trusted();
    const frame = event.senderFrame;
    if (!contents || event.sender !== contents || !frame || frame !== contents.mainFrame || !isAppUrl(frame.url)) {
      throw new IpcRefused(`Refused \`${channel}\` from a sender that is not the Hoist window's own page`);
    }
  };
  for (const [name, [channel, schema]] of Object.entries(ROUTES)) {
    const call = backend[name as keyof IpcBackend] as (payload?: unknown) => unknown;
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      guard(event, channel);
      if (args.length > 1) throw new IpcRefused(`Expected one payload on \`${channel}\`, got ${args.length}`);
      return call(parse(schema, args[0], channel));
    });
  }
}
