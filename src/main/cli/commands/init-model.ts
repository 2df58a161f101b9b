// `nanovlm init-model`: a fresh nanoVLM model with random weights (nanoVLM's initialisation) and
// the byte-level tokenizer, small enough to train from scratch on a CPU (the bundled demo model
// starts here).
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { numberOption, requireString, UsageError, type CliCommand, type ParsedArgs } from '../command';
import { writeRandomModel, type InitScheme } from '../../demo/random-init';
import { DEMO_DIMS, tinyConfig, type TinyModelDims } from '../../demo/tiny-config';

const wholePositive = (n: number) => Number.isInteger(n) && n > 0;

/** option name → field of TinyModelDims (all whole numbers) */
const DIM_OPTIONS: Record<string, keyof Omit<TinyModelDims, 'family'>> = {
  'image-size': 'imageSize',
  'patch-size': 'patchSize',
  'vit-dim': 'vitDim',
  'vit-blocks': 'vitBlocks',
  'vit-heads': 'vitHeads',
  'vit-inter-dim': 'vitInterDim',
  'pixel-shuffle': 'pixelShuffle',
  'lm-dim': 'lmDim',
  'lm-blocks': 'lmBlocks',
  'lm-heads': 'lmHeads',
  'lm-kv-heads': 'lmKvHeads',
  'lm-inter-dim': 'lmInterDim',
};

function dimsFrom(args: ParsedArgs): TinyModelDims {
  const family = (args.values.family as string | undefined) ?? DEMO_DIMS.family;
  if (family !== 'split' && family !== 'inline') throw new UsageError(`--family must be split or inline, not "${family}"`);
  const dims: TinyModelDims = { ...DEMO_DIMS, family };
  for (const [option, field] of Object.entries(DIM_OPTIONS)) dims[field] = numberOption(args, option, wholePositive) ?? dims[field];
  return dims;
}

export const command: CliCommand = {
  name: 'init-model',
  summary: 'write a small nanoVLM model with fresh random weights and the byte-level tokenizer',
  usage: [
    'Usage: nanovlm init-model --out DIR [--family split|inline] [dimensions] [--seed S]',
    '',
    "Writes config.json, model.safetensors (nanoVLM's format and initialisation) and the byte-level",
    "tokenizer (tokenizer.json, tokenizer_config.json) into DIR. Defaults: the demo model's size.",
    '',
    `  --family F           split (default: chat template, one tile per image) or inline`,
    ...Object.entries(DIM_OPTIONS).map(([option, field]) => `  --${option.padEnd(18)} default ${DEMO_DIMS[field]}`),
    '  --init I             scaled (default: Linear/Embedding std 1/sqrt(fan_in), which a model this',
    "                       small needs to learn quickly) or nanovlm (std 0.02, nanoVLM's own)",
    '  --seed S             random seed (default 0)',
    '  --force              write into a folder that is not empty',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    family: { type: 'string' },
    seed: { type: 'string' },
    init: { type: 'string' },
    force: { type: 'boolean' },
    ...Object.fromEntries(Object.keys(DIM_OPTIONS).map((o) => [o, { type: 'string' as const }])),
  },
  async run(args, io) {
    const out = resolve(requireString(args, 'out'));
    if (existsSync(out) && readdirSync(out).length > 0 && !args.values.force) throw new Error(`${out} is not empty (use --force to write into it)`);
    let raw: Record<string, unknown>;
    try {
      raw = tinyConfig(dimsFrom(args));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError((err as Error).message);
    }
    const init = (args.values.init as string | undefined) ?? 'scaled';
    if (init !== 'scaled' && init !== 'nanovlm') throw new UsageError(`--init must be scaled or nanovlm, not "${init}"`);
    const { parameters } = writeRandomModel(out, raw, numberOption(args, 'seed', Number.isInteger) ?? 0, init as InitScheme);
    io.out(
      `wrote a ${raw.max_img_size === undefined ? 'inline' : 'split'}-family model with ${parameters.toLocaleString('en-US')} parameters (${((parameters * 4) / 1e6).toFixed(1)} MB) to ${out}\n`,
    );
    return 0;
  },
};
