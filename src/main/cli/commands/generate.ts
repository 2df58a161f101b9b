// `nanovlm generate`: answer a question about an image, streaming the answer to stdout
// (like nanoVLM's generate.py). The checkpoint is exported to ONNX once and cached.
import { numberOption, requireString, UsageError, type CliCommand, type ParsedArgs } from '../command';
import { parseConfig } from '../../model/config';
import { ensureExport } from '../../onnx/export-cache';
import { parseQuantization } from '../../onnx/export-options';
import { answer } from '../../runtime/answer';
import { defaultCacheDir, loadTokenizerFor, resolveModelFolder } from '../../runtime/model-files';
import type { SamplingOptions } from '../../runtime/sampler';
import { VlmEngine } from '../../runtime/vlm-engine';
import type { InferenceProvider } from '../../runtime/providers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const positive = (n: number) => Number.isFinite(n) && n > 0;
const wholePositive = (n: number) => Number.isInteger(n) && n > 0;

export const command: CliCommand = {
  name: 'generate',
  summary: 'answer a prompt about one or more images, streaming the answer',
  usage: [
    'Usage: nanovlm generate --model <repo id|folder> --image PATH --prompt "…" [options]',
    '',
    '  --model REF              Hub repo id (e.g. lusxvr/nanoVLM-222M) or checkpoint folder',
    '  --image PATH             an image (repeat for several)',
    '  --prompt TEXT            the question',
    '  --max-new-tokens N       default 128',
    '  --greedy                 argmax decoding',
    '  --temperature T          default 0.5 (sampling)',
    '  --top-k K                default 50',
    '  --top-p P                default 0.9',
    '  --repetition-penalty R   default 1 (off)',
    '  --seed N                 sampling seed (default: random)',
    '  --quant Q                none | int8 | int4 (default none)',
    '  --provider P             cpu | cuda (default: detected)',
    '  --threads N              intra-op threads',
    '  --tokenizer REF          repo id, folder or tokenizer.json (default: the model\'s lm_tokenizer)',
    '  --cache-dir DIR          export cache (default $NANOVLM_CACHE_DIR or <data folder>/cache)',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    image: { type: 'string', multiple: true },
    prompt: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    greedy: { type: 'boolean' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'repetition-penalty': { type: 'string' },
    seed: { type: 'string' },
    quant: { type: 'string' },
    provider: { type: 'string' },
    threads: { type: 'string' },
    tokenizer: { type: 'string' },
    'cache-dir': { type: 'string' },
  },
  async run(args, io) {
    const prompt = requireString(args, 'prompt');
    const images = (args.values.image as string[] | undefined) ?? [];
    if (images.length === 0) throw new UsageError('--image is required');
    const model = await resolveModelFolder(requireString(args, 'model'), io.signal);
    const { config } = parseConfig(JSON.parse(readFileSync(join(model.folder, 'config.json'), 'utf8')) as Record<string, unknown>, join(model.folder, 'config.json'));
    const tokenizer = await loadTokenizerFor(config, model, args.values.tokenizer as string | undefined, io.signal);
    const exported = await ensureExport(model.folder, { quant: parseQuantization(args.values.quant as string | undefined) }, {
      cacheDir: (args.values['cache-dir'] as string | undefined) ?? defaultCacheDir(), signal: io.signal,
      onProgress: (p) => io.err(`export: ${p.stage}\n`),
    });
    const threads = numberOption(args, 'threads', wholePositive);
    const engine = await VlmEngine.load(exported.dir, { provider: args.values.provider as InferenceProvider | undefined, ...(threads ? { threads } : {}) });
    try {
      const result = await answer(engine, tokenizer, {
        turns: [{ user: prompt }], images, ...samplingOf(args),
        maxNewTokens: numberOption(args, 'max-new-tokens', wholePositive) ?? 128,
        signal: io.signal, onText: (delta) => io.out(delta),
      });
      io.out('\n');
      io.err(`[${result.tokenIds.length} tokens, ${result.stopReason}; time to first token ${result.ttftMs.toFixed(0)} ms, ${result.decodeTokensPerSecond.toFixed(1)} tokens/s; ${engine.provider}: ${engine.providerReason}]\n`);
      return result.stopReason === 'cancelled' ? 130 : 0;
    } finally {
      await engine.dispose();
    }
  },
};

function samplingOf(args: ParsedArgs): SamplingOptions {
  const seed = numberOption(args, 'seed', Number.isInteger);
  const repetitionPenalty = numberOption(args, 'repetition-penalty', positive);
  const common = { ...(seed !== undefined ? { seed } : {}), ...(repetitionPenalty ? { repetitionPenalty } : {}) };
  if (args.values.greedy) return { greedy: true, ...common };
  return {
    temperature: numberOption(args, 'temperature', (n) => Number.isFinite(n) && n >= 0) ?? 0.5,
    topK: numberOption(args, 'top-k', (n) => Number.isInteger(n) && n >= 0) ?? 50,
    topP: numberOption(args, 'top-p', (n) => n > 0 && n <= 1) ?? 0.9,
    ...common,
  };
}
