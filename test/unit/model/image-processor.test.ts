import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, PHOTOS_DIR } from '../../helpers/fixture-paths';
import { decideSplitGrid, processImage, type ImageProcessorSettings } from '../../../src/main/model/image-processor';
import { SafetensorsFile } from '../../../src/main/model/safetensors';

const FIXTURES = join(FIXTURES_DIR, 'preprocess');
const PHOTOS = PHOTOS_DIR;

interface GridCase {
  patch: number;
  max_side: number;
  resize_to_max_side_len: boolean;
  in_hw: [number, number];
  resized_hw: [number, number];
  grid: [number, number];
}

const fixture = JSON.parse(readFileSync(join(FIXTURES, 'preprocess.json'), 'utf8')) as { grid_decisions: GridCase[] };

function meanAbsError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('decideSplitGrid', () => {
  it('matches all grid decisions of the fixtures', () => {
    expect(fixture.grid_decisions).toHaveLength(102);
    const wrong = fixture.grid_decisions.filter((c) => {
      const got = decideSplitGrid(c.in_hw[0], c.in_hw[1], c.patch, { maxSide: c.max_side, resizeToMaxSideLen: c.resize_to_max_side_len });
      return JSON.stringify(got) !== JSON.stringify({ resizedHw: c.resized_hw, grid: c.grid });
    });
    expect(wrong).toEqual([]);
  });
});

describe('processImage against nanoVLM pixels', () => {
  const tensors = SafetensorsFile.open(join(FIXTURES, 'preprocess.safetensors'));
  const cases: Array<[string, ImageProcessorSettings, number]> = [];
  for (const photo of ['chelsea', 'coffee']) {
    cases.push([`${photo}.square32`, { tileSize: 32 }, 1], [`${photo}.square224`, { tileSize: 224 }, 1]);
    cases.push([`${photo}.split64_256.fit`, { tileSize: 64, split: { maxSide: 256, resizeToMaxSideLen: false } }, 13]);
    cases.push([`${photo}.split64_256.max`, { tileSize: 64, split: { maxSide: 256, resizeToMaxSideLen: true } }, 13]);
  }
  it.each(cases)('%s within MAE 0.02', async (key, settings, tiles) => {
    const photo = key.split('.')[0]!;
    const got = await processImage(join(PHOTOS, `${photo}.png`), settings);
    expect(got.tileCount).toBe(tiles);
    const mae = meanAbsError(got.pixels, tensors.readFloat32(key));
    console.log(`${key}: MAE ${mae.toFixed(5)}`);
    expect(mae).toBeLessThanOrEqual(0.02);
    if (settings.split) expect(got.grid).toEqual([3, 4]);
  });
});
