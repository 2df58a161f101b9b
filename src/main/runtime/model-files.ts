// Finding a model's files for inference: the checkpoint folder (local, or downloaded from the Hub)
// and its tokenizer (the checkpoint folder's own, an explicit override, or the `lm_tokenizer` repo).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { NanoVLMConfig } from '../model/config';
import { downloadTokenizer, hubSettingsFromEnv, isLocalReference, resolveModel } from '../hub/hub';
import { NanoVLMTokenizer, type TokenizerConfigJson } from '../model/tokenizer';
import { defaultDataFolder } from '../data/data-folder';

export interface ModelFolder {
  folder: string;
  /** the folder holding tokenizer.json, when known without a download */
  tokenizerFolder?: string;
}

/** A local checkpoint folder as it is, or a Hub repo id resolved to its cached snapshot. */
export async function resolveModelFolder(reference: string, signal?: AbortSignal): Promise<ModelFolder> {
  if (isLocalReference(reference)) {
    if (!existsSync(join(reference, 'config.json'))) throw new Error(`${reference}: not a nanoVLM checkpoint folder (no config.json)`);
    return { folder: reference, ...(existsSync(join(reference, 'tokenizer.json')) ? { tokenizerFolder: reference } : {}) };
  }
  const resolved = await resolveModel(reference, { signal });
  return { folder: resolved.folder, tokenizerFolder: resolved.tokenizerFolder };
}

/**
 * The tokenizer: `override` (a folder, a tokenizer.json file or a Hub repo id) when given, else the
 * model folder's, else the config's `lm_tokenizer` repo from the Hub.
 */
export async function loadTokenizerFor(config: NanoVLMConfig, model: ModelFolder, override?: string, signal?: AbortSignal): Promise<NanoVLMTokenizer> {
  if (override) {
    if (existsSync(override) && statSync(override).isFile()) return tokenizerFromFile(override, config);
    if (existsSync(override)) return NanoVLMTokenizer.fromFolder(override, config);
    return NanoVLMTokenizer.fromFolder(await downloadTokenizer(override, hubSettingsFromEnv(), { signal }), config);
  }
  if (model.tokenizerFolder) return NanoVLMTokenizer.fromFolder(model.tokenizerFolder, config);
  return NanoVLMTokenizer.fromFolder(await downloadTokenizer(config.lm_tokenizer, hubSettingsFromEnv(), { signal }), config);
}

function tokenizerFromFile(path: string, config: NanoVLMConfig): NanoVLMTokenizer {
  if (basename(path) === 'tokenizer.json') return NanoVLMTokenizer.fromFolder(dirname(path), config);
  const json = JSON.parse(readFileSync(path, 'utf8')) as object;
  return NanoVLMTokenizer.fromJson(json, {} as TokenizerConfigJson, config, {}, path);
}

/** Where exports are cached by default: $NANOVLM_CACHE_DIR, else <studio data folder>/cache. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NANOVLM_CACHE_DIR || join(defaultDataFolder(env), 'cache');
}
