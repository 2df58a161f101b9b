// The Hub token, found where Python's huggingface_hub looks (HF_TOKEN, then the token file:
// HF_TOKEN_PATH, else $HF_HOME/token), so the studio and `huggingface-cli login` share one login.
// A token entered in the studio is written to that file (owner-only), never to the database or a
// log; callers only ever learn where a token came from, not the token.
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import { hfHome } from './hub-cache';

export interface FoundToken {
  token: string;
  /** where it came from, to say so (the variable's name or the file's path) */
  source: string;
}

export function tokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.HF_TOKEN_PATH || join(hfHome(env), 'token');
}

export function findHubToken(env: NodeJS.ProcessEnv = process.env): FoundToken | undefined {
  for (const name of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN']) {
    const value = env[name]?.trim();
    if (value) return { token: value, source: name };
  }
  const path = tokenFilePath(env);
  if (!existsSync(path)) return undefined;
  const token = readFileSync(path, 'utf8').trim();
  return token ? { token, source: path } : undefined;
}

/** Check a token's form before anything is written (the Hub itself says whether it is valid). */
export function checkTokenForm(token: string): string {
  const trimmed = token.trim();
  if (!/^[A-Za-z0-9_\-.]{8,256}$/.test(trimmed))
    throw new Error('that does not look like a Hub access token (letters, digits, "_", "-"; usually starting with "hf_")');
  return trimmed;
}

/** Save a token where huggingface_hub reads it; returns the file's path. */
export function saveHubToken(token: string, env: NodeJS.ProcessEnv = process.env): string {
  const path = tokenFilePath(env);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, checkTokenForm(token));
  chmodSync(path, 0o600);
  return path;
}
