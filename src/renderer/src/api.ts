import type { HoistApi } from '../../shared/ipc';

/** What the preload exposes: the shared API, plus handing files dropped on the window to the main process. */
export type DesktopApi = HoistApi & { addDropped(files: File[]): Promise<string[]> };
