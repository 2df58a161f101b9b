// A model ready to answer on the command line: the checkpoint (folder or Hub repo), its tokenizer,
// the cached ONNX export and the ONNX Runtime engine. Shared by `generate` and `eval`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../model/config';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import { ensureExport } from '../onnx/export-cache';
import { parseQuantization } from '../onnx/export-options';
import { defaultCacheDir, loadTokenizerFor, resolveModelFolder } from '../runtime/model-files';
import { parseProvider, PROVIDER_ENV } from '../runtime/providers';
import { VlmEngine } from '../runtime/vlm-engine';
import { numberOption, requireString, type CliIO, type ParsedArgs } from './command';

/** The options every command that loads a model takes. */
export const MODEL_OPTIONS = {
  model: { type: 'string' },
  quant: { type: 'string' },
  provider: { type: 'string' },
  threads: { type: 'string' },
  tokenizer: { type: 'string' },
  'cache-dir': { type: 'string' },
} as const;

export const MODEL_OPTIONS_USAGE = [
  '  --model REF              Hub repo id (e.g. lusxvr/nanoVLM-222M) or checkpoint folder',
  '  --quant Q                none | int8 | int4 (default none)',
  `  --provider P             cpu | cuda | webgpu (default: $${PROVIDER_ENV}, else detected; a software WebGPU adapter only when asked)`,
  '  --threads N              intra-op threads',
  "  --tokenizer REF          repo id, folder or tokenizer.json (default: the model's own, else its lm_tokenizer)",
  '  --cache-dir DIR          export cache (default $NANOVLM_CACHE_DIR or <data folder>/cache)',
];

export interface CliModel {
  engine: VlmEngine;
  tokenizer: NanoVLMTokenizer;
}

export async function loadCliModel(args: ParsedArgs, io: CliIO): Promise<CliModel> {
  const model = await resolveModelFolder(requireString(args, 'model'), io.signal);
  const configPath = join(model.folder, 'config.json');
  const { config } = parseConfig(JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>, configPath);
  const tokenizer = await loadTokenizerFor(config, model, args.values.tokenizer as string | undefined, io.signal);
  const exported = await ensureExport(
    model.folder,
    { quant: parseQuantization(args.values.quant as string | undefined) },
    {
      cacheDir: (args.values['cache-dir'] as string | undefined) ?? defaultCacheDir(),
      signal: io.signal,
      onProgress: (p) => io.err(`export: ${p.stage}\n`),
    },
  );
  const threads = numberOption(args, 'threads', (n) => Number.isInteger(n) && n > 0);
  const engine = await VlmEngine.load(exported.dir, { provider: parseProvider(args.values.provider as string | undefined), ...(threads ? { threads } : {}) });
  return { engine, tokenizer };
}
