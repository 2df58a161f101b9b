// "Preview a sample" in the run form (issue 14), at a common and a small laptop size: the tokens the
// trainer reads, the answer's positions marked as labelled apart from the −100 ones, the image
// placeholders folded, the image processor's tiles in their grid, and the next sample on demand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/models';
import type { TrainingSamplePreview } from '../../src/shared/runs';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { inside, openStudioPage, VIEWPORTS, waitUntil, type StudioPage } from '../helpers/studio-page';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E).each(VIEWPORTS)('Run form sample preview at $width×$height', (viewport) => {
  let s: StudioPage;
  let model: ModelInfo;
  let datasetId: number;
  const size = `${viewport.width}x${viewport.height}`;

  beforeAll(async () => {
    s = await openStudioPage({ viewport });
    const job = await s.call('models.add', { reference: fixtureModelFolder('split') });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', 'the fixture model');
    model = (await s.call('models.list', {})).find((m) => m.source === 'folder')!;
    datasetId = (await s.call('datasets.create', { name: 'Preview me' })).id;
    const image = async (file: string) => (await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, file)).toString('base64') })).id;
    for (const [file, user, assistant] of [
      ['chelsea.png', 'What animal is this?', 'A cat.'],
      ['rocket.jpg', 'What is launching?', 'A rocket.'],
    ] as const)
      await s.call('samples.create', { datasetId, sample: { imageIds: [await image(file)], turns: [{ user, assistant }], status: 'done', split: 'train' } });
  });

  afterAll(async () => {
    await s?.close();
  });

  it('shows the tokens, the label mask and the tiles the trainer will see, sample by sample', async () => {
    const { page } = s;
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('new-run').click();
    await page.getByTestId('run-dataset').selectOption(String(datasetId));
    await page.getByTestId('run-model').selectOption(model.id);
    await page.getByTestId('run-preview-sample').click();
    const preview = page.getByTestId('sample-preview');
    await preview.waitFor();
    const expected = (await s.call('runs.previewSample', { datasetId, baseModelId: model.id, index: 0 })) as TrainingSamplePreview;
    expect(await preview.textContent()).toContain(`Sample 1 of 2`);
    expect(await page.getByTestId('sample-preview-counts').textContent()).toContain(`${expected.tokens.length} tokens · ${expected.labelled} with a label`);
    const labelled = page.locator('[data-testid="sample-preview-tokens"] [data-label="yes"]');
    expect(await labelled.count()).toBe(expected.labelled);
    expect((await labelled.allTextContents()).join('')).toMatch(/cat/);
    expect(await page.getByTestId('sample-preview-tokens').textContent()).toMatch(/image × \d+/);
    const tiles = expected.images[0]!.tiles.length - (expected.images[0]!.globalView ? 1 : 0);
    expect(await page.getByTestId('sample-preview-tile').count()).toBe(tiles);
    expect(await page.getByTestId('sample-preview-image').textContent()).toContain(`grid ${expected.images[0]!.grid[0]}×${expected.images[0]!.grid[1]}`);
    expect(inside(await preview.boundingBox(), await page.getByTestId('new-run-form').boundingBox())).toBe(true);
    await preview.scrollIntoViewIfNeeded();
    await s.shot(`runs-sample-preview-${size}`);
    await page.getByTestId('sample-preview-next').click();
    await poll(() => preview.textContent()).toContain('Sample 2 of 2');
    expect((await page.locator('[data-testid="sample-preview-tokens"] [data-label="yes"]').allTextContents()).join('')).toMatch(/rocket/);
    expect(s.consoleProblems).toEqual([]);
  });
});
