// Resolve a model reference (a local folder, or a Hub repo id like `lusxvr/nanoVLM-222M`) to local
// files: config.json and model.safetensors from the model, and the tokenizer files from the repo
// named by the config's `lm_tokenizer` (docs/nanovlm.md, "Checkpoints"). Hub files go to the huggingface_hub
// cache, so downloads are shared with Python tools both ways. Environment: HF_ENDPOINT, HF_TOKEN,
// HF_HUB_OFFLINE, HF_HOME / HF_HUB_CACHE.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseConfig } from '../model/config';
import { hubCacheDir } from './hub-cache';
import { checkRepoId, downloadToCache, HubError, type DownloadProgress, type HubSettings } from './hub-download';

export { HubError, type DownloadProgress, type HubSettings } from './hub-download';
export { hubCacheDir } from './hub-cache';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const MODEL_FILES = ['config.json', 'model.safetensors'] as const;
/** tokenizer.json is required; the others are read when present */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

export interface ResolveOptions {
  /** branch, tag or commit of the model repo; default "main" */
  revision?: string;
  signal?: AbortSignal;
  onProgress?: (event: DownloadProgress) => void;
  /** overrides of what the environment says */
  settings?: Partial<HubSettings>;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedModel {
  source: 'local' | 'hub';
  /** the reference as given */
  reference: string;
  /** the folder with config.json and model.safetensors (a snapshot folder for Hub models) */
  folder: string;
  configPath: string;
  weightsPath: string;
  /** the folder with tokenizer.json (+ tokenizer_config.json, special_tokens_map.json when they exist) */
  tokenizerFolder: string;
  /** Hub models: the repo and the commit the files come from */
  repo?: string;
  commit?: string;
}

const truthy = (value: string | undefined): boolean => value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

/** The Hub settings the environment asks for. */
export function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HubSettings {
  return {
    endpoint: env.HF_ENDPOINT || DEFAULT_ENDPOINT,
    token: env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined,
    offline: truthy(env.HF_HUB_OFFLINE),
    cacheDir: hubCacheDir(env),
    fetch: globalThis.fetch,
  };
}

/** A reference names a local folder when it exists or looks like a path; else it is a Hub repo id. */
export function isLocalReference(reference: string): boolean {
  if (existsSync(reference)) return true;
  return /^(\.{1,2}[\\/]|[\\/]|~|[A-Za-z]:[\\/])/.test(reference) || reference.split(/[\\/]/).length !== 2;
}

export async function resolveModel(reference: string, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const settings = { ...hubSettingsFromEnv(options.env), ...options.settings };
  if (isLocalReference(reference)) return resolveLocal(reference, settings, options);
  return resolveHub(reference, settings, options);
}

async function resolveLocal(reference: string, settings: HubSettings, options: ResolveOptions): Promise<ResolvedModel> {
  const folder = resolve(reference);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new HubError(reference, undefined, `no such folder (${folder})`);
  }
  for (const file of MODEL_FILES) {
    if (!existsSync(join(folder, file))) throw new HubError(reference, file, `the model folder has no ${file}`);
  }
  const configPath = join(folder, 'config.json');
  const tokenizerFolder = existsSync(join(folder, 'tokenizer.json')) ? folder : await downloadTokenizer(tokenizerRepoOf(configPath), settings, options);
  return { source: 'local', reference, folder, configPath, weightsPath: join(folder, 'model.safetensors'), tokenizerFolder };
}

async function resolveHub(repo: string, settings: HubSettings, options: ResolveOptions): Promise<ResolvedModel> {
  checkRepoId(repo);
  const revision = options.revision ?? 'main';
  const paths: string[] = [];
  for (const file of MODEL_FILES) {
    const path = await downloadToCache(settings, { repo, file, revision, signal: options.signal, onProgress: options.onProgress });
    paths.push(path!);
  }
  const [configPath, weightsPath] = paths as [string, string];
  const folder = dirname(configPath);
  const tokenizerFolder = existsSync(join(folder, 'tokenizer.json')) ? folder : await downloadTokenizer(tokenizerRepoOf(configPath), settings, options);
  return { source: 'hub', reference: repo, folder, configPath, weightsPath, tokenizerFolder, repo, commit: folder.split(/[\\/]/).pop() };
}

/** The repo of `lm_tokenizer` (the family's default when config.json leaves it out). */
function tokenizerRepoOf(configPath: string): string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new HubError(configPath, undefined, `not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(raw, configPath).config.lm_tokenizer;
}

/** Fetch the tokenizer files of a repo (at main) into the cache; returns their snapshot folder. */
export async function downloadTokenizer(repo: string, settings: HubSettings, options: Pick<ResolveOptions, 'signal' | 'onProgress'> = {}): Promise<string> {
  let folder = '';
  for (const file of TOKENIZER_FILES) {
    const required = file === 'tokenizer.json';
    const path = await downloadToCache(settings, { repo, file, revision: 'main', optional: !required, signal: options.signal, onProgress: options.onProgress });
    if (required) folder = dirname(path!);
  }
  return folder;
}
