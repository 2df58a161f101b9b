// What a first session tripped on in runs (issue 14): the form counted samples without answers and
// trained on drafts nobody reviewed, silently; a run cancelled and resumed left a stale model
// behind, and kept checkpoints in the middle could not be chatted with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/shared/models';
import type { RunDetail, RunSummary, TrainingDataCheck } from '../../../src/shared/runs';
import type { StudioCore } from '../../../src/main/core/studio-core';
import { photo } from '../../helpers/data-fixtures';
import { startTestCore, type TestCore } from '../../helpers/test-core';

describe('run data and checkpoint models', () => {
  let t: TestCore;
  let core: StudioCore;
  let model: ModelInfo;
  let datasetId: number;
  const call = <T>(method: string, input: unknown) => t.call<T>(method, input);

  beforeAll(async () => {
    t = startTestCore();
    core = t.core;
    model = await t.addFixtureModel('split');
    datasetId = (await call<{ id: number }>('datasets.create', { name: 'mixed' })).id;
    const image = (await call<{ id: string }>('images.add', { dataBase64: photo('chelsea.png').toString('base64') })).id;
    const add = (answer: string, status: string, split = 'train') =>
      call('samples.create', { datasetId, sample: { imageIds: [image], turns: [{ user: `q ${Math.random()}`, assistant: answer }], status, split } });
    for (let i = 0; i < 2; i++) await add('a cat', 'done');
    for (let i = 0; i < 3; i++) await add('a dog', 'draft');
    await add('', 'todo');
    await add('a cat', 'rejected');
    await add('a cat', 'done', 'val');
  });

  afterAll(() => t?.close());

  it('counts what a run would train on: answered samples by status, and those left out', async () => {
    const check = await call<TrainingDataCheck>('runs.dataCheck', { datasetId });
    expect(check.answered.train).toMatchObject({ done: 2, draft: 3, todo: 0, review: 0 });
    expect(check.unanswered.train).toBe(1);
    expect(check.rejected.train).toBe(1);
    expect(check.answered.val.done).toBe(1);
    await expect(call('runs.dataCheck', { datasetId: 9999 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('trains only on samples marked done when asked, and says how many', async () => {
    const run = await call<RunSummary>('runs.start', { datasetId, baseModelId: model.id, maxSteps: 1, batchSize: 1, evalSamples: 0, statuses: ['done'] });
    await core.runManager.settled(run.id);
    const detail = await call<RunDetail>('runs.get', { id: run.id });
    expect(detail.log.map((l) => l.text).join('\n')).toMatch(/: 2 training samples/);
    const all = await call<RunSummary>('runs.start', { datasetId, baseModelId: model.id, maxSteps: 1, batchSize: 1, evalSamples: 0 });
    await core.runManager.settled(all.id);
    expect((await call<RunDetail>('runs.get', { id: all.id })).log.map((l) => l.text).join('\n')).toMatch(/: 5 training samples/);
    await expect(call('runs.start', { datasetId, baseModelId: model.id, statuses: ['review'] })).rejects.toMatchObject({ field: 'statuses' });
  });

  it('registers no model for a run cancelled early; resumed to the end, one; any kept checkpoint on demand', async () => {
    const runModels = async (runId: string) => (await call<ModelInfo[]>('models.list', {})).filter((m) => m.source === 'run' && m.folder.includes(runId));
    const run = await call<RunSummary>('runs.start', {
      datasetId,
      baseModelId: model.id,
      maxSteps: 4,
      checkpointEvery: 1,
      keepCheckpoints: 4,
      batchSize: 1,
      evalSamples: 0,
    });
    await new Promise<void>((resolve) => {
      const stop = core.events.on('run.metrics', (e) => {
        if (e.runId === run.id && e.metric.step >= 1) {
          stop();
          resolve();
        }
      });
    });
    await call('runs.cancel', { id: run.id });
    const cancelled = await core.runManager.settled(run.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await runModels(run.id)).toEqual([]);
    expect(cancelled.checkpoints.every((c) => c.modelId === undefined)).toBe(true);

    await call('runs.resume', { id: run.id });
    const ended = await core.runManager.settled(run.id);
    expect(ended.status).toBe('finished');
    expect((await runModels(run.id)).map((m) => m.name)).toEqual([`${ended.name} · step 4`]);

    const middle = ended.checkpoints.find((c) => c.step < 4)!;
    const chatModel = await call<ModelInfo>('runs.checkpointModel', { id: run.id, step: middle.step });
    expect(chatModel).toMatchObject({ source: 'run', folder: middle.dir, name: `${ended.name} · step ${middle.step}` });
    expect((await call<ModelInfo>('runs.checkpointModel', { id: run.id, step: middle.step })).id).toBe(chatModel.id);
    expect((await call<RunSummary>('runs.get', { id: run.id })).checkpoints.find((c) => c.step === middle.step)!.modelId).toBe(chatModel.id);
    await expect(call('runs.checkpointModel', { id: run.id, step: 999 })).rejects.toMatchObject({ code: 'not_found', field: 'step' });
  });
});
