// `nanovlm init-model` + `nanovlm train` on a tiny run: a few steps, a checkpoint that loads again,
// progress lines with the metrics, the tokenizer beside the checkpoint, and usage errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { writeShapesDataset } from '../../../src/main/demo/shapes/shapes-dataset';
import { makeTempDir } from '../../helpers/temp-dir';

const temp = makeTempDir('train-cli-test-');
const modelDir = join(temp.path, 'model');
const dataDir = join(temp.path, 'data');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const TINY = [
  '--image-size',
  '32',
  '--patch-size',
  '8',
  '--vit-dim',
  '16',
  '--vit-blocks',
  '1',
  '--vit-inter-dim',
  '32',
  '--lm-dim',
  '32',
  '--lm-blocks',
  '1',
  '--lm-heads',
  '2',
  '--lm-inter-dim',
  '64',
];

beforeAll(async () => {
  await writeShapesDataset(dataDir, { count: 24, seed: 9, valFraction: 0.25, imageSize: 32 });
});
afterAll(() => temp.remove());

describe('nanovlm init-model and train', () => {
  it('init-model writes a loadable random model with the byte tokenizer, the same for a seed', async () => {
    const first = await run(['init-model', '--out', modelDir, ...TINY, '--seed', '4']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/split-family model with [\d,]+ parameters/);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'])
      expect(existsSync(join(modelDir, file)), file).toBe(true);
    const checkpoint = openCheckpoint(modelDir);
    expect(checkpoint.family).toBe('split');
    expect(checkpoint.config.lm_vocab_size).toBe(256 + 66);
    checkpoint.close();
    const again = join(temp.path, 'model-again');
    await run(['init-model', '--out', again, ...TINY, '--seed', '4']);
    expect(readFileSync(join(again, 'model.safetensors')).equals(readFileSync(join(modelDir, 'model.safetensors')))).toBe(true);
    expect((await run(['init-model', '--out', modelDir, ...TINY])).code).toBe(1);
  });

  it('trains a few steps from a JSONL with val rows left out, writing a checkpoint that loads', async () => {
    const out = join(temp.path, 'run');
    const result = await run([
      'train',
      '--dataset',
      join(dataDir, 'train.jsonl'),
      '--model',
      modelDir,
      '--preset',
      'scratch',
      '--batch-size',
      '4',
      '--grad-accum',
      '2',
      '--max-steps',
      '3',
      '--out',
      out,
      '--engine',
      'wasm',
      '--log-every',
      '1',
      '--eval',
      join(dataDir, 'val.jsonl'),
    ]);
    expect(result.code, result.err).toBe(0);
    expect(result.err).toMatch(/dataset: .*train\.jsonl \(18 rows\)/);
    expect(result.err).toMatch(
      /step 3\/3 \| \[#+\] \| loss \d+\.\d+ \| lr mp [\d.]+e-3 vision [\d.]+e-3 language [\d.]+e-3 \| grad \d+\.\d+ \| [\d.]+ samples\/s \| ETA 0m00s/,
    );
    expect(result.out).toMatch(/trained 3 steps in .*checkpoint .*step_3/);
    expect(result.out).toMatch(/exact match on .*val\.jsonl: [\d.]+% of 6/);
    const checkpoint = openCheckpoint(join(out, 'step_3'));
    expect(checkpoint.family).toBe('split');
    checkpoint.close();
    expect(existsSync(join(out, 'step_3', 'tokenizer.json'))).toBe(true);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('trains only on the rows of the training split and honours a preset that freezes groups', async () => {
    const out = join(temp.path, 'run-projector');
    const combined = join(temp.path, 'all.jsonl');
    const lines = ['train', 'val'].flatMap((s) =>
      readFileSync(join(dataDir, `${s}.jsonl`), 'utf8')
        .trim()
        .split('\n'),
    );
    const absolute = lines.map((l) => {
      const row = JSON.parse(l) as { images: string[] };
      return JSON.stringify({ ...row, images: row.images.map((p) => join(dataDir, p)) });
    });
    writeFileSync(combined, `${absolute.join('\n')}\n`);
    const result = await run([
      'train',
      '--dataset',
      combined,
      '--model',
      modelDir,
      '--preset',
      'projector',
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
    expect(result.err).toMatch(/18 of 24 rows: split "train"/);
    expect(result.err).toMatch(/lr mp 5\.1e-3 vision frozen language frozen/);
  });

  it('trains on a studio dataset by name (its training split, frozen as a version)', async () => {
    const home = join(temp.path, 'studio-home');
    const previous = process.env.NANOVLM_STUDIO_HOME;
    process.env.NANOVLM_STUDIO_HOME = home;
    try {
      for (const split of ['train', 'val']) {
        const imported = await run(['dataset', 'import', join(dataDir, `${split}.jsonl`), '--name', 'shapes']);
        expect(imported.code, imported.err).toBe(0);
      }
      const out = join(temp.path, 'run-studio');
      const result = await run([
        'train',
        '--dataset',
        'shapes',
        '--model',
        modelDir,
        '--preset',
        'scratch',
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
      expect(result.err).toMatch(/dataset "shapes" version \d+ \(18 training samples\)/);
      expect(
        readFileSync(join(out, 'dataset', 'train.jsonl'), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(18);
      const unknown = await run(['train', '--dataset', 'no-such-dataset', '--model', modelDir, '--out', join(temp.path, 'z')]);
      expect(unknown.code).toBe(1);
      expect(unknown.err).toMatch(/neither a file nor a dataset .*datasets: shapes/);
    } finally {
      if (previous === undefined) delete process.env.NANOVLM_STUDIO_HOME;
      else process.env.NANOVLM_STUDIO_HOME = previous;
    }
  });

  it('refuses bad options in one line', async () => {
    const bad = await run(['train', '--dataset', join(dataDir, 'train.jsonl'), '--model', modelDir, '--preset', 'everything']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--preset must be one of/);
    const both = await run([
      'train',
      '--dataset',
      join(dataDir, 'train.jsonl'),
      '--model',
      modelDir,
      '--max-steps',
      '2',
      '--epochs',
      '1',
      '--out',
      join(temp.path, 'x'),
    ]);
    expect(both.code).toBe(2);
    const missing = await run(['train', '--dataset', 'no-such.jsonl', '--model', modelDir, '--out', join(temp.path, 'y')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not found/);
    const schedule = await run(['train', '--dataset', join(dataDir, 'train.jsonl'), '--model', modelDir, '--schedule', 'step', '--out', join(temp.path, 'z')]);
    expect(schedule.code).toBe(2);
    expect(schedule.err).toMatch(/--schedule must be one of cosine, linear, constant, not "step"/);
    const warmup = await run(['train', '--dataset', join(dataDir, 'train.jsonl'), '--model', modelDir, '--warmup', '0.9', '--out', join(temp.path, 'w')]);
    expect(warmup.code).toBe(2);
    expect(warmup.err).toMatch(/--warmup: invalid number "0.9"/);
  });

  it('trains with the schedule asked for: constant without warmup keeps the peak rate', async () => {
    const out = join(temp.path, 'constant');
    const result = await run([
      'train',
      '--dataset',
      join(dataDir, 'train.jsonl'),
      '--model',
      modelDir,
      '--preset',
      'scratch',
      '--batch-size',
      '4',
      '--max-steps',
      '2',
      '--out',
      out,
      '--schedule',
      'constant',
      '--warmup',
      '0',
    ]);
    expect(result.code, result.err).toBe(0);
    const rates = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).learningRates.language as number);
    expect(rates).toEqual([3e-3, 3e-3]);
  });
});
