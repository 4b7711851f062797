import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import envPaths from 'env-paths';
import { signInPath } from '../sign-in';

/** Where the command line keeps its settings, its sign-ins and its state (journals, reports, the embedded store). */
export interface CliPaths {
  settingsFile: string;
  signInFile: string;
  stateDir: string;
}

/**
 * The platform's places (env-paths: XDG on Linux, `~/Library` on macOS, `%APPDATA%` on Windows), each
 * overridden by its variable (HOIST_CONFIG, HOIST_SIGN_IN_FILE, HOIST_STATE_DIR); where an older Hoist
 * left a settings file in `~/.config/hoist` or state in `~/.hoist`, those stay in use.
 */
export function cliPaths(env: NodeJS.ProcessEnv, home: string = homedir()): CliPaths {
  const platform = envPaths('hoist', { suffix: '' });
  const oldSettings = join(home, '.config', 'hoist', 'config.json');
  const newSettings = join(platform.config, 'config.json');
  const settingsFile =
    env.HOIST_CONFIG || (!existsSync(newSettings) && existsSync(oldSettings) ? oldSettings : newSettings);
  const signInFile = signInPath(env, home);
  const oldState = join(home, '.hoist');
  const stateDir = env.HOIST_STATE_DIR || (existsSync(oldState) ? oldState : platform.data);
  return { settingsFile, signInFile, stateDir };
}
