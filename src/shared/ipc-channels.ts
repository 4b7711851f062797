// The channel names alone, with no imports: the sandboxed preload can only `require` Electron and a few
// built-ins, so it must not pull in the payload schemas (and zod) that the main process checks with.
/** IPC channel names, one per call the renderer may make, plus the update push. */
export const IPC = {
  pickFolders: 'hoist:pick-folders',
  pickFiles: 'hoist:pick-files',
  pickCaFile: 'hoist:pick-ca-file',
  addBatches: 'hoist:add-batches',
  grantDropped: 'hoist:grant-dropped',
  configureBatch: 'hoist:configure-batch',
  signIn: 'hoist:sign-in',
  signOut: 'hoist:sign-out',
  control: 'hoist:control',
  controlFile: 'hoist:control-file',
  listFiles: 'hoist:list-files',
  copyLink: 'hoist:copy-link',
  copyDetails: 'hoist:copy-details',
  checkSigner: 'hoist:check-signer',
  openReport: 'hoist:open-report',
  copyPlace: 'hoist:copy-place',
  openPlace: 'hoist:open-place',
  getSettings: 'hoist:get-settings',
  saveSettings: 'hoist:save-settings',
  update: 'hoist:update',
} as const;
