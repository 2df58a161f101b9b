// `nanovlm generate`: answer a question about an image, streaming the answer to stdout
// (like nanoVLM's generate.py). The checkpoint is exported to ONNX once and cached.
import { numberOption, requireString, UsageError, type CliCommand, type ParsedArgs } from '../command';
import { loadCliModel, MODEL_OPTIONS, MODEL_OPTIONS_USAGE } from '../load-model';
import { answer } from '../../runtime/answer';
import type { SamplingOptions } from '../../runtime/sampler';

const positive = (n: number) => Number.isFinite(n) && n > 0;
const wholePositive = (n: number) => Number.isInteger(n) && n > 0;

export const command: CliCommand = {
  name: 'generate',
  summary: 'answer a prompt about one or more images, streaming the answer',
  usage: [
    'Usage: nanovlm generate --model <repo id|folder> --image PATH --prompt "…" [options]',
    '',
    '  --image PATH             an image (repeat for several)',
    '  --prompt TEXT            the question',
    '  --max-new-tokens N       default 128',
    '  --greedy                 argmax decoding',
    '  --temperature T          default 0.5 (sampling)',
    '  --top-k K                default 50',
    '  --top-p P                default 0.9',
    '  --repetition-penalty R   default 1 (off)',
    '  --seed N                 sampling seed (default: random)',
    ...MODEL_OPTIONS_USAGE,
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    image: { type: 'string', multiple: true },
    prompt: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    greedy: { type: 'boolean' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'repetition-penalty': { type: 'string' },
    seed: { type: 'string' },
  },
  async run(args, io) {
    const prompt = requireString(args, 'prompt');
    const images = (args.values.image as string[] | undefined) ?? [];
    if (images.length === 0) throw new UsageError('--image is required');
    const { engine, tokenizer } = await loadCliModel(args, io);
    try {
      const result = await answer(engine, tokenizer, {
        turns: [{ user: prompt }],
        images,
        ...samplingOf(args),
        maxNewTokens: numberOption(args, 'max-new-tokens', wholePositive) ?? 128,
        signal: io.signal,
        onText: (delta) => io.out(delta),
      });
      io.out('\n');
      io.err(
        `[${result.tokenIds.length} tokens, ${result.stopReason}; time to first token ${result.ttftMs.toFixed(0)} ms, ${result.decodeTokensPerSecond.toFixed(1)} tokens/s; ${engine.provider} on ${engine.device}: ${engine.providerReason}]\n`,
      );
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
