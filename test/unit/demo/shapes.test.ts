// The synthetic shapes dataset: deterministic for a seed, balanced question types, one-word answers
// with a chance level far below 20%, readable by the trainer and by the studio's import.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRow } from '../../../src/main/data/import/row-layouts';
import { readVqaJsonl } from '../../../src/main/training/data/vqa-records';
import { shapesRecords, writeShapesDataset } from '../../../src/main/demo/shapes/shapes-dataset';
import { majorityBaselines } from '../../../src/main/demo/shapes/majority-baseline';
import { makeTempDir } from '../../helpers/temp-dir';
import { main } from '../../../src/main/cli/index';

const temp = makeTempDir('shapes-test-');
afterAll(() => temp.remove());

describe('shapes dataset', () => {
  it('is the same for the same seed and different for another', async () => {
    const a = join(temp.path, 'a');
    const b = join(temp.path, 'b');
    await writeShapesDataset(a, { count: 24, seed: 5 });
    await writeShapesDataset(b, { count: 24, seed: 5 });
    for (const file of ['train.jsonl', 'val.jsonl', 'images/00001.png', 'images/00024.png']) {
      expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), file).toBe(true);
    }
    expect(readdirSync(join(a, 'images'))).toHaveLength(24);
    const other = shapesRecords({ count: 24, seed: 6 }).map((r) => r.svg);
    expect(other).not.toEqual(shapesRecords({ count: 24, seed: 5 }).map((r) => r.svg));
  });

  it('balances four question types whose majority answer is far below 20%', () => {
    const records = shapesRecords({ count: 4000, seed: 1 }).map(({ record }) => record);
    const baselines = majorityBaselines(records.map((r) => ({ type: r.tags[0], answer: r.texts[0]!.assistant })));
    expect(baselines.map((b) => b.type).sort()).toEqual(['colour', 'count', 'position', 'shape']);
    for (const b of baselines) {
      expect(b.questions).toBe(1000);
      expect(b.classes).toBeGreaterThanOrEqual(8);
      expect(b.accuracy, b.type).toBeLessThan(0.16);
    }
    for (const r of records) expect(r.texts[0]!.assistant).toMatch(/^[a-z0-9-]+$/);
  });

  it('writes rows the trainer and the studio import both read, split into train and val', async () => {
    const dir = join(temp.path, 'c');
    const summary = await writeShapesDataset(dir, { count: 40, seed: 2, valFraction: 0.25 });
    expect([summary.train, summary.val]).toEqual([30, 10]);
    const records = readVqaJsonl(summary.trainPath);
    expect(records).toHaveLength(30);
    expect(records[0]!.images[0]).toBe(join(dir, 'images', '00001.png'));
    const row = parseRow(JSON.parse(readFileSync(summary.valPath, 'utf8').split('\n')[0]!));
    expect(row.split).toBe('val');
    expect(row.tags).toHaveLength(1);
  });

  it('nanovlm make-shapes writes the dataset and prints the baselines', async () => {
    let out = '';
    const code = await main(['make-shapes', '--out', join(temp.path, 'cli'), '--count', '20', '--seed', '3'], { out: (t) => (out += t), err: () => {} });
    expect(code).toBe(0);
    expect(out).toMatch(/wrote 18 training and 2 validation pairs/);
    expect(out).toMatch(/train majority baseline: colour/);
    const usage = await main(['make-shapes', '--out', join(temp.path, 'x')], { out: () => {}, err: () => {} });
    expect(usage).toBe(2);
  });
});
