// The studio's name and version, from package.json (read once).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'nanoVLM Studio';

let cached: string | undefined;
export function appVersion(): string {
  if (cached) return cached;
  try {
    const url = new URL('../../../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { version: string }).version;
  } catch {
    cached = '0.0.0';
  }
  return cached;
}
