// A first session on the Runs screen, at a common and a small laptop size (issue 14): the form
// says what the dataset gives a run (drafts nobody reviewed are left out unless included, samples
// without answers are counted apart), the status bar shows the run training, the accuracy chart
// draws one evaluated checkpoint on a 0–100 % axis, equal learning rates are drawn once and named
// together, the loss has smoothing and a log scale, every kept checkpoint opens a chat, and the
// comparison table keeps its results in view and in percent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/models';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { inside, openStudioPage, VIEWPORTS, waitUntil, type StudioPage } from '../helpers/studio-page';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E).each(VIEWPORTS)('Runs, first session, at $width×$height', (viewport) => {
  let s: StudioPage;
  let model: ModelInfo;
  let datasetId: number;
  let runId: string;
  const size = `${viewport.width}x${viewport.height}`;

  beforeAll(async () => {
    s = await openStudioPage({ viewport });
    const job = await s.call('models.add', { reference: fixtureModelFolder('split') });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', 'the fixture model');
    model = (await s.call('models.list', {})).find((m) => m.source === 'folder')!;
    datasetId = (await s.call('datasets.create', { name: 'Mixed review' })).id;
    const image = async (file: string) => (await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, file)).toString('base64') })).id;
    const add = async (file: string, user: string, assistant: string, status: 'done' | 'draft' | 'todo', split: 'train' | 'val' = 'train') =>
      s.call('samples.create', { datasetId, sample: { imageIds: [await image(file)], turns: [{ user, assistant }], status, split } });
    await add('chelsea.png', 'What animal is this?', 'A cat.', 'done');
    await add('coffee.png', 'What drink is this?', 'Coffee.', 'done');
    for (const [i, file] of ['rocket.jpg', 'astronaut.png', 'chelsea.png'].entries()) await add(file, `Draft question ${i}?`, 'Something.', 'draft');
    await add('coffee.png', 'Unanswered?', '', 'todo');
    await add('rocket.jpg', 'What is launching?', 'A rocket.', 'done', 'val');
  });

  afterAll(async () => {
    await s?.close();
  });

  it('says what the run trains on: unreviewed drafts left out unless included, unanswered samples apart', async () => {
    const { page } = s;
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('new-run').click();
    await page.getByTestId('run-dataset').selectOption(String(datasetId));
    const counts = page.getByTestId('run-data-counts');
    await poll(() => counts.textContent()).toMatch(/2\s+samples to train on/);
    expect(await counts.textContent()).toContain('1 without an answer');
    expect(await page.getByTestId('run-unreviewed').textContent()).toMatch(/3 answered samples have not been reviewed: 3 drafts a model wrote/);
    expect(await page.getByTestId('new-run-form').textContent()).toMatch(/over 2 train samples/);
    await page.getByTestId('run-include-unreviewed').check();
    await poll(() => counts.textContent()).toMatch(/5\s+samples to train on/);
    expect(await page.getByTestId('new-run-form').textContent()).toMatch(/over 5 train samples/);
    await page.getByTestId('run-include-unreviewed').uncheck();
    await page.getByTestId('run-unreviewed').scrollIntoViewIfNeeded();
    await s.shot(`runs-data-warning-${size}`);
    expect(s.consoleProblems).toEqual([]);
  });

  it('trains on the reviewed samples only, with the run shown in the status bar while it trains', async () => {
    const { page } = s;
    await page.getByTestId('run-model').selectOption(model.id);
    await page.getByTestId('preset-full').check();
    await page.getByTestId('run-maxSteps').fill('20');
    await page.getByTestId('run-batchSize').fill('1');
    await page.getByTestId('run-checkpointEvery').fill('10');
    await page.getByTestId('run-keepCheckpoints').fill('3');
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-page').waitFor();
    runId = (await page.getByTestId('run-page').getAttribute('data-run-id'))!;
    await poll(() => page.getByTestId('jobs-indicator').textContent(), 60_000).toMatch(/Training: step \d+\/20/);
    await poll(async () => (await s.call('runs.get', { id: runId })).status, 120_000).toBe('finished');
    await poll(() => page.getByTestId('jobs-indicator').textContent()).toContain('No jobs running');
    expect((await s.call('runs.get', { id: runId })).log.map((l) => l.text).join('\n')).toMatch(/: 2 training samples/);
    expect(s.consoleProblems).toEqual([]);
  });

  it('draws the accuracy of one evaluated checkpoint on a 0–100 % axis, equal learning rates once, and loss smoothing', async () => {
    const { page } = s;
    const run = await s.call('runs.start', {
      datasetId,
      baseModelId: model.id,
      preset: 'full',
      maxSteps: 2,
      batchSize: 1,
      checkpointEvery: 2,
      evalSamples: 1,
      name: 'One checkpoint',
    });
    await page.goto(`${s.studio.origin}/#/runs/${run.id}`);
    await poll(async () => (await s.call('runs.get', { id: run.id })).checkpoints[0]?.valAccuracy, 120_000).toBeDefined();
    const accuracy = page.getByTestId('chart-accuracy');
    await poll(() => accuracy.getAttribute('data-y-range')).toBe('0..1');
    // one value: a point, in the line's colour (#2b8a3e), not an empty chart
    const drawn = await accuracy.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (Math.abs(data[i]! - 43) < 30 && Math.abs(data[i + 1]! - 138) < 30 && Math.abs(data[i + 2]! - 62) < 30 && data[i + 3]! > 100) n++;
      return n;
    });
    expect(drawn).toBeGreaterThan(4);
    await poll(() => page.getByTestId('chart-lr').locator('.u-legend').textContent()).toContain('vision = language');
    expect(await page.getByTestId('chart-loss').locator('.u-legend').textContent()).toContain('train (raw)');
    await page.getByTestId('loss-log').check();
    await page.getByTestId('loss-smoothing').fill('0');
    await poll(() => page.getByTestId('chart-loss').locator('.u-legend').textContent()).not.toContain('raw');
    await page.getByTestId('loss-smoothing').fill('0.6');
    await page.getByTestId('loss-log').uncheck();
    await s.shot(`runs-charts-${size}`);
    expect(s.consoleProblems).toEqual([]);
  });

  it('opens a chat with any kept checkpoint, not only the last', async () => {
    const { page } = s;
    await page.goto(`${s.studio.origin}/#/runs/${runId}`);
    await page.getByTestId('run-files').click();
    const checkpoints = page.getByTestId('checkpoint');
    await poll(() => checkpoints.count()).toBe(2);
    expect(await page.getByTestId('checkpoint-chat').count()).toBe(2);
    await checkpoints.first().getByTestId('checkpoint-chat').click();
    await poll(() => page.locator('main h1').textContent()).toBe('Chat');
    await poll(() => page.getByTestId('chat-model').locator('option:checked').textContent()).toContain('· step 10');
    expect(s.consoleProblems).toEqual([]);
  });

  it('compares runs with their results in view and the accuracy in percent', async () => {
    const { page } = s;
    const ids = (await s.call('runs.list', {})).map((r) => r.id);
    await page.goto(`${s.studio.origin}/#/runs/compare/${ids.join(',')}`);
    await poll(() => page.getByTestId('compare-table').locator('tbody tr').count()).toBe(2);
    await poll(() => page.getByTestId('compare-accuracy').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^(\d+(\.\d)? %|–)$/)]));
    expect((await page.getByTestId('compare-accuracy').allTextContents()).some((t) => t.endsWith('%'))).toBe(true);
    const wrap = page.locator('.table-wrap');
    for (const header of ['Run', 'Val acc.', 'Best val loss', 'Last loss']) {
      expect(inside(await page.getByTestId('compare-table').locator('th', { hasText: header }).first().boundingBox(), await wrap.boundingBox())).toBe(true);
    }
    await page.getByTestId('compare-table').scrollIntoViewIfNeeded();
    await s.shot(`runs-compare-${size}`);
    expect(s.consoleProblems).toEqual([]);
  });

  it('queues a run behind the running one, lists it, and takes it off the queue', async () => {
    const { page } = s;
    const long = await s.call('runs.start', {
      datasetId,
      baseModelId: model.id,
      preset: 'full',
      maxSteps: 100_000,
      batchSize: 1,
      evalSamples: 0,
      statuses: ['done'],
    });
    try {
      await page.getByTestId('nav-runs').click();
      await page.getByTestId('new-run').click();
      await page.getByTestId('run-dataset').selectOption(String(datasetId));
      await page.getByTestId('run-model').selectOption(model.id);
      await page.getByTestId('run-name').fill(`queued ${size}`);
      const submit = page.getByTestId('run-start');
      await poll(() => submit.textContent()).toBe('Queue after the running run');
      await submit.click();
      const queued = page.getByTestId('queued-run');
      await poll(() => queued.count()).toBe(1);
      expect(await queued.textContent()).toMatch(new RegExp(`queued ${size}.*next, when the running run ends`));
      expect((await s.call('runs.queue', {})).map((q) => q.name)).toEqual([`queued ${size}`]);
      await s.shot(`runs-queue-${size}`);
      await queued.getByTestId('dequeue-run').click();
      await poll(() => queued.count()).toBe(0);
      expect(await s.call('runs.queue', {})).toEqual([]);
    } finally {
      await s.call('runs.cancel', { id: long.id });
    }
    expect(s.consoleProblems).toEqual([]);
  });
});
