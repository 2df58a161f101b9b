// `nanovlm eval` on a JSONL file with a val split, and on a studio dataset by name.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { PHOTOS_DIR } from '../../helpers/fixture-paths';

const work = mkdtempSync(join(tmpdir(), 'nanovlm-eval-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal });
  return { code, out, err };
}

function writeJsonl(): string {
  const rows = [
    ['chelsea.png', 'What animal is this?', 'cat', 'val'],
    ['coffee.png', 'What drink is this?', 'coffee', 'val'],
    ['rocket.jpg', 'What is this?', 'rocket', 'train'],
  ];
  const path = join(work, 'heldout.jsonl');
  writeFileSync(
    path,
    rows.map(([image, user, assistant, split]) => JSON.stringify({ images: [join(PHOTOS_DIR, image!)], texts: [{ user, assistant }], split })).join('\n'),
  );
  return path;
}

describe('nanovlm eval', () => {
  it('prints {"accuracy", "n"} over the val split of a JSONL file', async () => {
    const model = fixtureModelFolder('split');
    const result = await cli([
      'eval',
      '--model',
      model,
      '--dataset',
      writeJsonl(),
      '--split',
      'val',
      '--json',
      '--max-new-tokens',
      '3',
      '--cache-dir',
      join(work, 'cache'),
    ]);
    expect(result.code, result.err).toBe(0);
    const printed = JSON.parse(result.out) as { accuracy: number; n: number };
    expect(printed.n).toBe(2);
    expect(printed.accuracy).toBeGreaterThanOrEqual(0);
    expect(printed.accuracy).toBeLessThanOrEqual(1);
  });

  it('names the problem when there is nothing to evaluate', async () => {
    const result = await cli(['eval', '--model', fixtureModelFolder('split'), '--dataset', writeJsonl(), '--split', 'test']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no answered samples in the test split/);
    expect((await cli(['eval', '--model', 'x', '--dataset', 'y', '--split', 'holdout'])).err).toMatch(/--split must be train, val or test/);
  });
});
