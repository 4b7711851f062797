import { DEFAULT_SETTINGS } from '../../src/main/desktop/settings-store';
import type { SettingsInput } from '../../src/shared/ipc';

/** What the Settings dialog sends with nothing changed from the defaults, but for `changes`. */
export function settingsInput(changes: Partial<SettingsInput> = {}): SettingsInput {
  const { token: _none, ...defaults } = DEFAULT_SETTINGS;
  return { ...defaults, ...changes };
}
