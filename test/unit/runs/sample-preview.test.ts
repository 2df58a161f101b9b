// "Preview a sample" (issue 14): one train sample exactly as the trainer sees it. Checked against
// the trainer's own input: the run's written train.jsonl read back, through prepareSample and
// collate, must give the same ids, the same labels (−100 where none) and the same tiles.
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/shared/models';
import type { RunSummary, TrainingSamplePreview } from '../../../src/shared/runs';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { NanoVLMTokenizer } from '../../../src/main/model/tokenizer';
import { IGNORE_INDEX } from '../../../src/main/model/prompt';
import { collate } from '../../../src/main/training/data/collate';
import { prepareSample, readVqaJsonl } from '../../../src/main/training/data/vqa-records';
import { photo } from '../../helpers/data-fixtures';
import { startTestCore, type TestCore } from '../../helpers/test-core';

describe('runs.previewSample', () => {
  let t: TestCore;
  let split: ModelInfo;
  let prefix: ModelInfo;
  let datasetId: number;
  const call = <T>(method: string, input: unknown) => t.call<T>(method, input);

  beforeAll(async () => {
    t = startTestCore();
    split = await t.addFixtureModel('split');
    prefix = await t.addFixtureModel('prefix');
    datasetId = (await call<{ id: number }>('datasets.create', { name: 'preview' })).id;
    const image = async (file: string) => (await call<{ id: string }>('images.add', { dataBase64: photo(file).toString('base64') })).id;
    const add = async (file: string, user: string, assistant: string, status: string, split = 'train') =>
      call('samples.create', { datasetId, sample: { imageIds: [await image(file)], turns: [{ user, assistant }], status, split } });
    await add('chelsea.png', 'What animal is this?', 'A cat.', 'done');
    await add('rocket.jpg', 'What is launching?', 'A rocket.', 'draft');
    await add('coffee.png', 'Unanswered?', '', 'todo');
    await add('coffee.png', 'What drink is this?', 'Coffee.', 'done', 'val');
  });

  afterAll(() => t?.close());

  it('gives the ids, labels and tiles the trainer reads for the same sample', async () => {
    const run = await call<RunSummary>('runs.start', { datasetId, baseModelId: split.id, maxSteps: 1, batchSize: 1, evalSamples: 0 });
    await t.core.runManager.settled(run.id);
    const records = readVqaJsonl(join(run.folder, 'data', 'train.jsonl'));
    expect(records).toHaveLength(2);
    const spec = openCheckpoint(split.folder);
    spec.close();
    const tokenizer = NanoVLMTokenizer.fromFolder(split.tokenizerFolder, spec.config);
    for (const index of [0, 1]) {
      const preview = await call<TrainingSamplePreview>('runs.previewSample', { datasetId, baseModelId: split.id, index });
      const batch = collate([await prepareSample(records[index]!, spec, tokenizer)], tokenizer.eosTokenId);
      expect(preview.count).toBe(2);
      expect(preview.tokens.map((tok) => tok.id)).toEqual(Array.from(batch.inputIds));
      expect(preview.tokens.map((tok) => tok.target ?? IGNORE_INDEX)).toEqual(Array.from(batch.targets));
      expect(preview.images.reduce((n, image) => n + image.tiles.length, 0)).toBe(batch.imageCount);
      expect(preview.tokens.filter((tok) => tok.kind === 'image')).toHaveLength(preview.imagePositions);
      expect(preview.labelled).toBe(Array.from(batch.targets).filter((x) => x !== IGNORE_INDEX).length);
    }
  });

  it('labels the answer and nothing of the question or the image', async () => {
    const preview = await call<TrainingSamplePreview>('runs.previewSample', { datasetId, baseModelId: split.id, statuses: ['done'] });
    expect(preview.count).toBe(1);
    const labelled = preview.tokens.filter((tok) => tok.target !== null);
    const spec = openCheckpoint(split.folder);
    spec.close();
    const tokenizer = NanoVLMTokenizer.fromFolder(split.tokenizerFolder, spec.config);
    expect(tokenizer.decode(labelled.map((tok) => tok.target!))).toContain('A cat.');
    expect(tokenizer.decode(labelled.map((tok) => tok.target!))).not.toContain('animal');
    // an image placeholder never predicts a label, and the tokens decode back to the prompt
    expect(preview.tokens.some((tok) => tok.kind === 'image' && tok.target !== null)).toBe(false);
    expect(preview.tokens.map((tok) => tok.text).join('')).toContain('What animal is this?');
    expect(preview.imagesBeforeText).toBe(false);
  });

  it('shows every tile the image processor cut, as PNG thumbnails, with the grid', async () => {
    const preview = await call<TrainingSamplePreview>('runs.previewSample', { datasetId, baseModelId: split.id, index: 0 });
    const [image] = preview.images;
    expect(image!.tiles.length).toBe(image!.grid[0] * image!.grid[1] + (image!.globalView ? 1 : 0));
    const png = Buffer.from(image!.tiles[0]!.replace(/^data:image\/png;base64,/, ''), 'base64');
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(Math.min(preview.tileSize, 128));
  });

  it('puts the image before the text for the prefix family, with no placeholder tokens', async () => {
    const preview = await call<TrainingSamplePreview>('runs.previewSample', { datasetId, baseModelId: prefix.id, index: 3 });
    expect(preview.index).toBe(1);
    expect(preview.imagesBeforeText).toBe(true);
    expect(preview.imagePositions).toBeGreaterThan(0);
    expect(preview.tokens.some((tok) => tok.kind === 'image')).toBe(false);
    expect(preview.images[0]!.tiles).toHaveLength(1);
  });

  it('refuses bad input naming the field, and a split with nothing to train on', async () => {
    await expect(call('runs.previewSample', { datasetId, baseModelId: split.id, index: -1 })).rejects.toMatchObject({ code: 'invalid_input', field: 'index' });
    await expect(call('runs.previewSample', { datasetId: 9999, baseModelId: split.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('runs.previewSample', { datasetId, baseModelId: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('runs.previewSample', { datasetId, baseModelId: split.id, statuses: ['review'] })).rejects.toMatchObject({ field: 'datasetId' });
  });
});
