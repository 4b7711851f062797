import type { HoistApi } from '../../shared/ipc';

/** What the preload exposes: the shared API plus turning a dropped File into its path. */
export type DesktopApi = HoistApi & { pathForFile(file: File): string };
