// Training runs through the core: a real trainer subprocess on a fixture model and a small
// dataset; finish, cancel, a killed trainer, resume, and runs left behind by a stopped studio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import type { RunDetail, RunPredictions, RunSummary } from '../../../src/shared/runs';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { photo } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

describe('training runs', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  let model: ModelInfo;
  let datasetId: number;
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;

  beforeAll(async () => {
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
    const job = await call<Job>('models.add', { reference: fixtureModelFolder('split') });
    model = (await core.jobs.settled(job.id)).result as ModelInfo;
    datasetId = (await call<{ id: number }>('datasets.create', { name: 'cats and coffee' })).id;
    const samples = [
      ['chelsea.png', 'What animal is this?', 'cat', 'train'],
      ['coffee.png', 'What drink is this?', 'coffee', 'train'],
      ['rocket.jpg', 'What is this?', 'rocket', 'val'],
    ] as const;
    for (const [file, q, a, split] of samples) {
      const image = await call<{ id: string }>('images.add', { dataBase64: photo(file).toString('base64') });
      await call('samples.create', { datasetId, sample: { imageIds: [image.id], turns: [{ user: q, assistant: a }], status: 'done', split } });
    }
  });

  afterAll(() => {
    core.close();
    temp.remove();
  });

  const untilMetric = (runId: string, step: number) =>
    new Promise<void>((resolve) => {
      const stop = core.events.on('run.metrics', (e) => {
        if (e.runId === runId && e.metric.step >= step) {
          stop();
          resolve();
        }
      });
    });

  it('trains to the end, records metrics and checkpoints, and registers the final checkpoint as a model', async () => {
    const run = await call<RunSummary>('runs.start', {
      datasetId,
      baseModelId: model.id,
      preset: 'full',
      maxSteps: 3,
      checkpointEvery: 2,
      batchSize: 1,
      evalSamples: 0,
    });
    expect(run.status).toBe('running');
    const ended = await core.runManager.settled(run.id);
    expect(ended.error).toBeUndefined();
    expect(ended.status).toBe('finished');
    expect(ended.engine).toBe('onnxruntime'); // the first engine in the order (issue 11); wasm and cpu before it
    expect(ended.checkpoints.map((c) => c.step)).toEqual([2, 3]);
    const detail = await call<RunDetail>('runs.get', { id: run.id });
    expect(detail.metrics.map((m) => m.step)).toEqual([1, 2, 3]);
    expect(detail.metrics[0]!.loss).toBeGreaterThan(0);
    expect(detail.metrics[0]!.learningRates.vision).toBeGreaterThan(0);
    const models = await call<ModelInfo[]>('models.list', {});
    const trained = models.find((m) => m.source === 'run');
    expect(trained?.folder).toBe(ended.checkpoints.at(-1)!.dir);
    expect(ended.checkpoints.at(-1)!.modelId).toBe(trained!.id);
  });

  it('evaluates checkpoints on the val split and keeps every prediction', async () => {
    // 2 train samples, batch 1, one epoch = 2 steps
    const run = await call<RunSummary>('runs.start', { datasetId, baseModelId: model.id, epochs: 1, checkpointEvery: 2, batchSize: 1 });
    expect(run.settings.maxSteps).toBe(2);
    const ended = await core.runManager.settled(run.id);
    expect(ended.status).toBe('finished');
    expect(ended.checkpoints.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0);
    const detail = await call<RunDetail>('runs.get', { id: run.id });
    expect(detail.metrics.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0);
    expect(detail.metrics.at(-1)!.valLoss).toBeGreaterThan(0);
    const predictions = await call<RunPredictions>('runs.predictions', { id: run.id });
    expect(predictions).toMatchObject({ step: 2, steps: [2], n: 1, items: [{ question: 'What is this?', expected: 'rocket' }] });
    expect((await call<RunPredictions>('runs.predictions', { id: run.id, correct: true })).items.every((p) => p.correct)).toBe(true);
  });

  it('marks a killed trainer failed with its reason, keeps the studio working, and resumes from the last checkpoint', async () => {
    const run = await call<RunSummary>('runs.start', { datasetId, baseModelId: model.id, maxSteps: 6, checkpointEvery: 1, batchSize: 1, evalSamples: 0 });
    await untilMetric(run.id, 2);
    (core.runManager as unknown as { live: Map<string, { handle: { child: { kill(s: string): void } } }> }).live.get(run.id)!.handle.child.kill('SIGKILL');
    const failed = await core.runManager.settled(run.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/killed \(SIGKILL\)/);
    expect((await call<{ ok: boolean }>('system.health', {})).ok).toBe(true);
    const lastStep = failed.checkpoints.at(-1)!.step;
    expect(lastStep).toBeGreaterThanOrEqual(1);

    const resumed = await call<RunSummary>('runs.resume', { id: run.id });
    expect(resumed.status).toBe('running');
    const ended = await core.runManager.settled(run.id);
    expect(ended.status).toBe('finished');
    const detail = await call<RunDetail>('runs.get', { id: run.id });
    expect(detail.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(detail.log.map((l) => l.text).join('\n')).toContain(`resuming from step ${lastStep}`);
    expect(ended.checkpoints.length).toBeLessThanOrEqual(3 + 1);
  });

  it('cancels within seconds and keeps the last checkpoint', async () => {
    const run = await call<RunSummary>('runs.start', { datasetId, baseModelId: model.id, maxSteps: 10_000, checkpointEvery: 1, batchSize: 1, evalSamples: 0 });
    await untilMetric(run.id, 1);
    const asked = Date.now();
    await call('runs.cancel', { id: run.id });
    const ended = await core.runManager.settled(run.id);
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(ended.status).toBe('cancelled');
    expect(ended.checkpoints.length).toBeGreaterThan(0);
  });

  it('trains with the schedule and warmup chosen (linear, no warmup: the first step at the peak rate)', async () => {
    const run = await call<RunSummary>('runs.start', {
      datasetId,
      baseModelId: model.id,
      preset: 'full',
      maxSteps: 2,
      checkpointEvery: 2,
      batchSize: 1,
      evalSamples: 0,
      schedule: 'linear',
      warmupFraction: 0,
    });
    const ended = await core.runManager.settled(run.id);
    expect(ended.status).toBe('finished');
    expect(ended.settings.schedule).toBe('linear');
    const detail = await call<RunDetail>('runs.get', { id: run.id });
    const peak = ended.learningRates.language;
    expect(detail.metrics[0]!.learningRates.language).toBeCloseTo(peak, 12);
    expect(detail.metrics[1]!.learningRates.language).toBeCloseTo(peak * (1 - 0.9 * 0.5), 12);
    await expect(call('runs.start', { datasetId, baseModelId: model.id, schedule: 'step' })).rejects.toThrow(/schedule/);
    await expect(call('runs.start', { datasetId, baseModelId: model.id, warmupFraction: 0.9 })).rejects.toThrow(/warmupFraction/);
  });

  it('refuses a dataset with nothing to train on, naming the field', async () => {
    const empty = await call<{ id: number }>('datasets.create', { name: 'empty' });
    await expect(call('runs.start', { datasetId: empty.id, baseModelId: model.id })).rejects.toThrow();
  });
});
