// Where the studio keeps its data when Electron's userData is not available (browser door, CLI):
// $NANOVLM_STUDIO_HOME, else the platform's data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'nanovlm-studio';

export function defaultDataFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.NANOVLM_STUDIO_HOME) return env.NANOVLM_STUDIO_HOME;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), APP_DIR_NAME);
}
