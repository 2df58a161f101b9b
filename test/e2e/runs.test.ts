// The Runs screen end to end: a small dataset made through the API, a short run started from the
// form on a fixture model, its charts filling as metrics arrive, the run finishing, its files, a
// comparison with a second run, and a chat with the resulting checkpoint.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/models';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { openStudioPage, waitUntil, type StudioPage } from '../helpers/studio-page';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });
const SAMPLES = [
  ['chelsea.png', 'What animal is this?', 'A cat.'],
  ['coffee.png', 'What drink is this?', 'Coffee.'],
  ['rocket.jpg', 'What is launching?', 'A rocket.'],
] as const;

describe.skipIf(SKIP_E2E)('Runs screen in Chromium', () => {
  let s: StudioPage;
  let model: ModelInfo;
  let datasetId: number;
  let runId: string;

  beforeAll(async () => {
    s = await openStudioPage();
    const job = await s.call('models.add', { reference: fixtureModelFolder('split') });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', 'the fixture model');
    model = (await s.call('models.list', {})).find((m) => m.source === 'folder')!;
    datasetId = (await s.call('datasets.create', { name: 'Tiny VQA' })).id;
    for (const [file, user, assistant] of SAMPLES) {
      const image = await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, file)).toString('base64') });
      await s.call('samples.create', { datasetId, sample: { imageIds: [image.id], turns: [{ user, assistant }], status: 'done', split: 'train' } });
    }
    // one val sample: every checkpoint answers it, so the run page lists a prediction per step
    const valImage = await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, 'astronaut.png')).toString('base64') });
    await s.call('samples.create', {
      datasetId,
      sample: { imageIds: [valImage.id], turns: [{ user: 'Who is this?', assistant: 'An astronaut.' }], status: 'done', split: 'val' },
    });
  });

  afterAll(async () => {
    await s?.close();
  });

  it('starts a short run from the form, with defaults, help, the engine and a memory estimate', async () => {
    const { page } = s;
    await page.getByTestId('nav-runs').click();
    await page.getByText('No training runs yet.').waitFor();
    await page.getByTestId('new-run').click();
    const form = page.getByTestId('new-run-form');
    await form.waitFor();
    expect(await page.getByTestId('run-maxSteps').inputValue()).toBe('200');
    expect(await page.getByTestId('run-batchSize').inputValue()).toBe('4');
    await poll(() => page.getByTestId('run-engine').textContent()).toMatch(/\w+/);
    expect(await page.getByTestId('run-memory').textContent()).toMatch(/≈ \d+(\.\d)? (KB|MB)/);
    // the engine: the best available by default, and only engines this computer has
    expect(await page.getByTestId('run-engine-choice').inputValue()).toBe('');
    const engines = await page.getByTestId('run-engine-choice').locator('option').allTextContents();
    expect(engines[0]).toMatch(/^Best available \(\S+\)$/);
    expect(await page.getByTestId('run-evalSamples').inputValue()).toBe('100');
    // the schedule: nanoVLM's cosine with 3% warmup by default, each choice explained
    expect(await page.getByTestId('run-schedule').inputValue()).toBe('cosine');
    expect(await page.getByTestId('run-warmup').inputValue()).toBe('3');
    await page.getByTestId('run-schedule').selectOption('linear');
    expect(await form.textContent()).toContain('falls in a straight line');
    // epochs instead of steps, and back
    await page.getByTestId('run-length-epochs').check();
    expect(await page.getByTestId('run-epochs').inputValue()).toBe('1');
    await page.getByTestId('run-length-steps').check();
    await page.getByTestId('run-dataset').selectOption(String(datasetId));
    await page.getByTestId('run-model').selectOption(model.id);
    await page.getByTestId('preset-full').check();
    await page.getByTestId('run-maxSteps').fill('4');
    await page.getByTestId('run-batchSize').fill('1');
    await page.getByTestId('run-checkpointEvery').fill('2');
    await page.getByTestId('run-name').fill('First fine-tune');
    await s.shot('runs-new');
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-page').waitFor();
    runId = (await page.getByTestId('run-page').getAttribute('data-run-id'))!;
    expect(page.url()).toContain(`#/runs/${runId}`);
    expect(await page.getByTestId('run-name').textContent()).toBe('First fine-tune');
    const started = await s.call('runs.get', { id: runId });
    expect(started.settings).toMatchObject({ schedule: 'linear', warmupFraction: 0.03 });
    expect(s.consoleProblems).toEqual([]);
  });

  it('draws the metrics as they arrive and finishes', async () => {
    const { page } = s;
    await poll(async () => Number(await page.getByTestId('chart-loss').getAttribute('data-points')), 60_000).toBeGreaterThan(0);
    await poll(() => page.getByTestId('run-page').getByTestId('run-status').textContent(), 90_000).toBe('Finished');
    expect(Number(await page.getByTestId('chart-loss').getAttribute('data-points'))).toBe(4);
    expect(Number(await page.getByTestId('chart-speed').getAttribute('data-points'))).toBe(4);
    expect(await page.getByTestId('run-step').textContent()).toBe('Step 4 of 4');
    expect(await page.getByTestId('run-loss').textContent()).toMatch(/\d/);
    await poll(() => page.getByTestId('run-log').textContent()).toContain('finished');
    await page.getByTestId('run-files').click();
    expect(await page.getByTestId('run-folder').textContent()).toContain(join(s.studio.dataDir, 'runs', runId));
    await s.shot('runs-finished');
    expect(s.consoleProblems).toEqual([]);
  });

  it('lists the val predictions of each evaluated checkpoint, right or wrong, and marks the best checkpoint', async () => {
    const { page } = s;
    const val = page.getByTestId('val-predictions');
    await poll(() => val.getByTestId('val-step').locator('option').allTextContents(), 60_000).toEqual(['Step 2', 'Step 4 (latest)']);
    expect(await val.getByTestId('val-accuracy').textContent()).toMatch(/\d+ %\s*right · [01] of 1/);
    expect(await val.getByTestId('val-row').count()).toBe(1);
    expect(await val.getByTestId('val-row').textContent()).toContain('An astronaut.');
    const correct = (await val.getByTestId('val-row').getAttribute('data-correct')) === 'true';
    await val.getByTestId(correct ? 'val-filter-wrong' : 'val-filter-right').click();
    await poll(() => val.getByTestId('val-row').count()).toBe(0);
    await val.getByTestId('val-filter-all').click();
    await val.getByTestId('val-step').selectOption('2');
    await poll(() => val.getByTestId('val-step').inputValue()).toBe('2');
    await poll(() => val.getByTestId('val-row').count()).toBe(1);
    const run = await s.call('runs.get', { id: runId });
    expect(run.checkpoints.every((c) => c.valAccuracy !== undefined)).toBe(true);
    await poll(() => page.getByTestId('checkpoint-accuracy').allTextContents()).toHaveLength(run.checkpoints.length);
    // "best" only means something when the evaluated checkpoints differ
    const scores = new Set(run.checkpoints.map((c) => c.valAccuracy));
    expect(await page.locator('[data-testid=checkpoint][data-best=true]').count()).toBe(scores.size > 1 ? 1 : 0);
    await page.getByTestId('val-predictions').scrollIntoViewIfNeeded();
    await s.shot('runs-predictions');
    expect(s.consoleProblems).toEqual([]);
  });

  it('compares two runs on one chart and one table', async () => {
    const { page } = s;
    const second = await s.call('runs.start', {
      datasetId,
      baseModelId: model.id,
      preset: 'projector',
      maxSteps: 3,
      batchSize: 1,
      checkpointEvery: 3,
      name: 'Projector only',
    });
    await poll(() => page.getByTestId('run-item').count()).toBe(2);
    for (const box of await page.getByTestId('run-item').locator('input[type=checkbox]').all()) await box.check();
    await page.getByTestId('compare-runs').click();
    await page.getByTestId('compare-view').waitFor();
    await poll(async () => (await s.call('runs.get', { id: second.id })).status, 60_000).toBe('finished');
    await poll(() => page.getByTestId('compare-table').locator('tbody tr').count()).toBe(2);
    await poll(async () => Number(await page.getByTestId('compare-loss').getAttribute('data-points'))).toBe(4);
    expect(await page.getByTestId('compare-table').textContent()).toContain('Projector only');
    await s.shot('runs-compare');
    expect(s.consoleProblems).toEqual([]);
  });

  it('opens a chat with the finished checkpoint', async () => {
    const { page } = s;
    await page.locator(`a[href="#/runs/${runId}"]`).first().click();
    await page.getByTestId('run-page').waitFor();
    const run = await s.call('runs.get', { id: runId });
    const checkpointModel = run.checkpoints.at(-1)!.modelId!;
    expect(checkpointModel).toBeTruthy();
    await page.getByTestId('run-chat').click();
    await poll(() => page.locator('main h1').textContent()).toBe('Chat');
    await poll(() => page.getByTestId('chat-model').inputValue()).toBe(checkpointModel);
    expect(await page.getByTestId('chat-model').locator('option:checked').textContent()).toContain('First fine-tune · step 4');
    await s.shot('runs-chat-checkpoint');
    expect(s.consoleProblems).toEqual([]);
  });
});
