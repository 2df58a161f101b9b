// The inference commands end to end: forward round-trips the fixture layout through the exported
// graphs, export-onnx writes a loadable folder, generate streams an answer about a photo.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { writeByteTokenizer } from '../../../src/main/model/byte-tokenizer';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { FIXTURES, loadFixture, maxAbsDiff, removeDir } from '../onnx/fixtures';
import { PHOTOS_DIR } from '../../helpers/fixture-paths';

const work = mkdtempSync(join(tmpdir(), 'nanovlm-cli-'));
const cacheDir = join(work, 'cache');
afterAll(() => removeDir(work));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal });
  return { code, out, err };
}

describe('nanovlm forward', () => {
  it('writes vision_out, mp_out and every logit matching the fixture', async () => {
    const fixture = loadFixture('split');
    const out = join(work, 'forward.safetensors');
    const result = await cli([
      'forward',
      '--model',
      fixture.dir,
      '--inputs',
      join(fixture.dir, 'expected.safetensors'),
      '--out',
      out,
      '--cache-dir',
      cacheDir,
      '--threads',
      '1',
    ]);
    expect(result.code, result.err).toBe(0);
    const written = SafetensorsFile.open(out);
    try {
      expect(written.info('logits').shape).toEqual([1, 37, 322]);
      expect(written.info('vision_out').shape).toEqual([5, 16, 48]);
      expect(maxAbsDiff(written.readFloat32('vision_out'), fixture.visionOut)).toBeLessThan(1e-4);
      expect(maxAbsDiff(written.readFloat32('mp_out'), fixture.mpOut)).toBeLessThan(1e-4);
      expect(maxAbsDiff(written.readFloat32('logits'), fixture.logits)).toBeLessThan(1e-4);
    } finally {
      written.close();
    }
  });

  it('names the missing tensor', async () => {
    const result = await cli([
      'forward',
      '--model',
      join(FIXTURES, 'prefix'),
      '--inputs',
      join(FIXTURES, 'prefix', 'model.safetensors'),
      '--out',
      join(work, 'x.safetensors'),
      '--cache-dir',
      cacheDir,
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/pixel_values/);
  });
});

describe('nanovlm export-onnx', () => {
  it('writes the graphs, their data files, the embedding and the manifest', async () => {
    const out = join(work, 'export');
    const result = await cli(['export-onnx', '--model', join(FIXTURES, 'inline'), '--out', out, '--quant', 'int4']);
    expect(result.code, result.err).toBe(0);
    for (const f of ['vision.onnx', 'vision.onnx.data', 'decoder.onnx', 'decoder.onnx.data', 'embed_tokens.f32', 'manifest.json'])
      expect(existsSync(join(out, f))).toBe(true);
  });

  it('rejects an unknown quantisation', async () => {
    const result = await cli(['export-onnx', '--model', join(FIXTURES, 'inline'), '--out', join(work, 'bad'), '--quant', 'int3']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/int3/);
  });
});

describe('nanovlm generate', () => {
  it('streams a greedy answer about a photo', async () => {
    const tokenizer = join(work, 'tokenizer');
    writeByteTokenizer(tokenizer);
    const args = [
      'generate',
      '--model',
      join(FIXTURES, 'split'),
      '--image',
      join(PHOTOS_DIR, 'coffee.png'),
      '--prompt',
      'What is in the cup?',
      '--tokenizer',
      tokenizer,
      '--greedy',
      '--max-new-tokens',
      '6',
      '--cache-dir',
      cacheDir,
      '--threads',
      '1',
    ];
    const first = await cli(args);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/time to first token \d+ ms/);
    expect(first.out.length).toBeGreaterThan(1);
    const second = await cli(args);
    expect(second.out).toBe(first.out);
    expect(second.err).not.toMatch(/export:/); // the cached export is reused
  });
});
