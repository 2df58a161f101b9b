// The split family where images may be larger than one tile (max_img_size > vit_img_size, as in
// every published split model and the split fixture: tiles of 32, images up to 64): the largest
// grid, tiles per image, the image strings, and the processor's output for real photos, which all
// must agree with each other. A model whose max_img_size equals vit_img_size never shows a grid
// other than 1×1, which is how a 1×1 image once got counted as two tiles unnoticed.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { extraTokenId, type ModelSpec } from '../../../src/main/model/config';
import { imageTokenCount, largestGrid, tilesPerImage } from '../../../src/main/model/family';
import { decideSplitGrid, imageSettingsFor } from '../../../src/main/model/image-processor';
import { modelShape } from '../../../src/main/model/parameters';
import { Processor } from '../../../src/main/model/processor';
import { imageString } from '../../../src/main/model/prompt';
import { photo } from '../../helpers/data-fixtures';
import { fixtureTokenizer } from '../../helpers/byte-tokenizer-fixture';

const { spec, tokenizer } = fixtureTokenizer('split');
const withConfig = (changes: Partial<ModelSpec['config']>): ModelSpec => ({ family: 'split', config: { ...spec.config, ...changes } });

/** A plain PNG of this size (a wide strip gives a 1×2 grid). */
const png = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .png()
    .toBuffer();

const count = (ids: readonly number[], id: number): number => ids.filter((i) => i === id).length;

describe('split family, images larger than one tile (max_img_size 64 > vit_img_size 32)', () => {
  it('the fixture is such a model', () => {
    expect(spec.config.vit_img_size).toBe(32);
    expect(spec.config.max_img_size).toBe(64);
    expect(spec.config.resize_to_max_side_len).toBe(true);
  });

  it('largest grid and tiles per image: a grid of one tile is one tile, larger ones add the global view', () => {
    expect(largestGrid(spec)).toEqual([2, 2]);
    expect(tilesPerImage('split', [1, 1])).toBe(1);
    expect(tilesPerImage('split', [1, 2])).toBe(3);
    expect(tilesPerImage('split', [2, 2])).toBe(5);
    expect(modelShape(spec).maxTilesPerImage).toBe(5);
    expect(largestGrid(withConfig({ max_img_size: 96 }))).toEqual([3, 3]);
    expect(modelShape(withConfig({ max_img_size: 96 })).maxTilesPerImage).toBe(10);
    // no larger than one tile: only 1×1 grids, one tile each
    expect(largestGrid(withConfig({ max_img_size: 32 }))).toEqual([1, 1]);
    expect(modelShape(withConfig({ max_img_size: 32 })).maxTilesPerImage).toBe(1);
  });

  it('grid decisions: long side to 64, short side up to a multiple of 32; without resize_to_max_side_len small images stay one tile', () => {
    const settings = imageSettingsFor(spec).split!;
    expect(decideSplitGrid(300, 451, 32, settings)).toEqual({ resizedHw: [64, 64], grid: [2, 2] });
    expect(decideSplitGrid(30, 100, 32, settings)).toEqual({ resizedHw: [32, 64], grid: [1, 2] });
    expect(decideSplitGrid(20, 20, 32, { ...settings, resizeToMaxSideLen: false })).toEqual({ resizedHw: [32, 32], grid: [1, 1] });
  });

  it('image strings: one block per tile after the global view, tiles in row-major order', () => {
    const block = '<|image|>'.repeat(4);
    expect(imageString(spec, [[1, 2]])).toBe(`<|global_image|>${block}<row_1_col_1>${block}<row_1_col_2>${block}`);
    expect(imageString(spec, [[2, 2]])).toBe(`<|global_image|>${block}<row_1_col_1>${block}<row_1_col_2>${block}<row_2_col_1>${block}<row_2_col_2>${block}`);
  });

  it('the processor: tiles, grids and prompt of two photos agree, for generation and for training', async () => {
    const photos = [photo('chelsea.png'), await png(100, 30)]; // 451×300 → 2×2; 100×30 → 1×2
    const processor = new Processor(spec, tokenizer);
    const turns = [{ user: 'What is there?' }];
    const inputs = await processor.forGeneration(turns, photos);

    expect(inputs.grids).toEqual([
      [2, 2],
      [1, 2],
    ]);
    expect(inputs.images.map((i) => i.tileCount)).toEqual([5, 3]);
    expect(inputs.tiles).toBe(8);
    expect(inputs.pixels).toHaveLength(8 * 3 * 32 * 32);
    // the global view of the first photo comes first, then its tiles, then the second photo's
    expect(inputs.pixels.subarray(0, 5 * 3 * 32 * 32)).toEqual(inputs.images[0]!.pixels);
    expect(inputs.pixels.subarray(5 * 3 * 32 * 32)).toEqual(inputs.images[1]!.pixels);

    const ids = inputs.inputIds;
    expect(count(ids, extraTokenId(spec.config, 'image_token'))).toBe(imageTokenCount(spec, inputs.grids));
    expect(count(ids, extraTokenId(spec.config, 'image_token'))).toBe(inputs.tiles * spec.config.mp_image_token_length);
    expect(count(ids, extraTokenId(spec.config, 'global_image_token'))).toBe(2);
    expect(tokenizer.decode(ids)).toContain(`<image: 0>${imageString(spec, [[2, 2]])}<image: 1>${imageString(spec, [[1, 2]])}What is there?`);
    expect(processor.positions(ids.length, inputs.grids)).toBe(ids.length);

    const training = await processor.forTraining([{ user: 'What is there?', assistant: 'A cat.' }], photos);
    expect(training.grids).toEqual(inputs.grids);
    expect(training.pixels).toEqual(inputs.pixels);
    expect(training.inputIds.slice(0, ids.length)).toEqual(ids);
    expect(training.targets).toHaveLength(training.inputIds.length);
  });
});
