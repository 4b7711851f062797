import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';
import { AddBatchesSchema, ControlSchema, IPC, type ControlRequest } from '../shared/ipc';

/** What the IPC handlers drive: the batches and the native dialog. */
export interface IpcBackend {
  pickFolders(): Promise<string[]>;
  addBatches(paths: string[]): Promise<string[]>;
  control(request: ControlRequest): void;
}

/** Thrown to the renderer when a call comes from elsewhere or carries a malformed payload. */
export class IpcRefused extends Error {
  override name = 'IpcRefused';
}

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

/** Registers every handler; each checks the sender is our window's main frame, then the payload. */
export function registerIpc(ipcMain: IpcMain, trusted: () => WebContents | undefined, backend: IpcBackend): void {
  const guard = (event: IpcMainInvokeEvent, channel: string): void => {
    const contents = trusted();
    if (!contents || event.sender !== contents || event.senderFrame !== contents.mainFrame) {
      throw new IpcRefused(`Refused \`${channel}\` from a sender that is not the Hoist window`);
    }
  };
  ipcMain.handle(IPC.pickFolders, (event) => {
    guard(event, IPC.pickFolders);
    return backend.pickFolders();
  });
  ipcMain.handle(IPC.addBatches, (event, payload: unknown) => {
    guard(event, IPC.addBatches);
    return backend.addBatches(parse(AddBatchesSchema, payload, IPC.addBatches));
  });
  ipcMain.handle(IPC.control, (event, payload: unknown) => {
    guard(event, IPC.control);
    backend.control(parse(ControlSchema, payload, IPC.control));
  });
}
