// The round trip with nanoVLM's own trainer and the Hub, from the screens in Chromium: "Train
// elsewhere" on a run's page writes the hand-off folder, "Add nanoVLM checkpoint" brings a
// save_pretrained folder back as a model of the run, and "Push to Hub" (a model, a dataset) asks for
// a token when none is found, saves it where huggingface_hub reads it and uploads to the fake Hub.
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/models';
import type { RunSummary } from '../../src/shared/runs';
import { SKIP_E2E } from '../helpers/browser';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub-server';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { openStudioPage, waitUntil, type StudioPage } from '../helpers/studio-page';
import { makeTempDir } from '../helpers/temp-dir';

const TOKEN = 'hf_e2eWriteToken0123';
const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E)('nanoVLM hand-off and Hub push in Chromium', () => {
  const temp = makeTempDir('e2e-handoff-');
  let hub: FakeHub;
  let s: StudioPage;
  let run: RunSummary;
  let datasetId: number;

  beforeAll(async () => {
    hub = await startFakeHub({}, { writeTokens: [TOKEN] });
    s = await openStudioPage({
      env: { HF_ENDPOINT: hub.url, HF_HOME: join(temp.path, 'hf-home'), HF_TOKEN: '', HUGGING_FACE_HUB_TOKEN: '', HF_TOKEN_PATH: '' },
    });
    const job = await s.call('models.add', { reference: fixtureModelFolder('split') });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', 'the fixture model');
    const model = (await s.call('models.list', {})).find((m: ModelInfo) => m.source === 'folder')!;
    datasetId = (await s.call('datasets.create', { name: 'Handoff VQA' })).id;
    for (const [file, user, assistant, split] of [
      ['chelsea.png', 'What animal?', 'A cat.', 'train'],
      ['coffee.png', 'What drink?', 'Coffee.', 'train'],
      ['rocket.jpg', 'What is it?', 'A rocket.', 'val'],
    ] as const) {
      const image = await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, file)).toString('base64') });
      await s.call('samples.create', { datasetId, sample: { imageIds: [image.id], turns: [{ user, assistant }], status: 'done', split } });
    }
    run = await s.call('runs.start', { datasetId, baseModelId: model.id, preset: 'full', maxSteps: 1, checkpointEvery: 1, batchSize: 1, evalSamples: 1 });
    await waitUntil(async () => (await s.call('runs.get', { id: run.id })).status === 'finished', 'the run', 120_000);
  }, 180_000);

  afterAll(async () => {
    await s?.close();
    await hub?.close();
    temp.remove();
  });

  it('hands the run to nanoVLM’s trainer and brings its checkpoint back as a model of the run', async () => {
    const { page } = s;
    await page.goto(`${s.studio.url}#/runs/${run.id}`);
    await page.getByTestId('run-page').waitFor();
    await page.getByTestId('run-train-elsewhere').click();
    const handoff = join(temp.path, 'handoff');
    await page.getByTestId('train-elsewhere-path').fill(handoff);
    await page.getByTestId('train-elsewhere-start').click();
    await poll(() => page.getByTestId('train-elsewhere-report').textContent()).toMatch(/2 training and 1 val rows/);
    expect(existsSync(join(handoff, 'run.json'))).toBe(true);
    await page.getByTestId('train-elsewhere-close').click();

    const step = join(handoff, 'checkpoints', 'nanoVLM_run', 'step_20');
    mkdirSync(step, { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) cpSync(join(handoff, 'checkpoints', f), join(step, f));
    await page.getByTestId('run-add-checkpoint').click();
    await page.getByTestId('add-checkpoint-path').fill(step);
    await page.getByTestId('add-checkpoint-start').click();
    await poll(async () => (await s.call('runs.get', { id: run.id })).checkpoints.find((c) => c.step === 20)?.valAccuracy, 60_000).toBeGreaterThanOrEqual(0);
    const models = await s.call('models.list', {});
    expect(models.some((m) => m.folder === step)).toBe(true);
  });

  it('pushes a model and a dataset to the Hub, asking for a token first', async () => {
    const { page } = s;
    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-push').first().click();
    await page.getByTestId('push-repo').fill('studio-user/e2e-model');
    await page.getByTestId('hub-token-input').fill(TOKEN);
    await page.getByTestId('hub-token-save').click();
    await page.getByTestId('hub-token-found').waitFor();
    expect(readFileSync(join(temp.path, 'hf-home', 'token'), 'utf8')).toBe(TOKEN);
    await page.getByTestId('push-start').click();
    await poll(() => page.getByTestId('push-result').textContent(), 60_000).toMatch(/studio-user\/e2e-model/);
    expect(Object.keys(hub.repos.get('studio-user/e2e-model')!.files)).toContain('model.safetensors');
    await page.getByTestId('push-close').click();

    await page.getByTestId('nav-datasets').click();
    await page.getByText('Handoff VQA').first().click();
    await page.getByTestId('open-push').click();
    await page.getByTestId('hub-token-found').waitFor();
    await page.getByTestId('push-repo').fill('studio-user/e2e-data');
    await page.getByTestId('push-start').click();
    await poll(() => page.getByTestId('push-result').textContent(), 60_000).toMatch(/datasets\/studio-user\/e2e-data/);
    expect(Object.keys(hub.repos.get('datasets/studio-user/e2e-data')!.files)).toContain('data/train-00000-of-00001.parquet');
    expect(s.studio.output()).not.toContain(TOKEN);
    expect(s.consoleProblems).toEqual([]);
  });
});
