// The round trip through the core: a run handed to nanoVLM's trainer (a job with progress), and a
// folder nanoVLM's save_pretrained wrote brought back as a checkpoint and model of that run,
// scored on the same val split beside the run's own checkpoints and ready to chat with.
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, ChatSendResult } from '../../../src/shared/chat';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import type { RunPredictions, RunSummary } from '../../../src/shared/runs';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { photo } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

describe('a run handed to nanoVLM’s trainer and brought back', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  let model: ModelInfo;
  let run: RunSummary;
  const handoff = join(temp.path, 'handoff');
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;

  beforeAll(async () => {
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web' });
    const job = await call<Job>('models.add', { reference: fixtureModelFolder('split') });
    model = (await core.jobs.settled(job.id)).result as ModelInfo;
    const datasetId = (await call<{ id: number }>('datasets.create', { name: 'photos' })).id;
    const samples = [
      ['chelsea.png', 'What animal is this?', 'cat', 'train'],
      ['coffee.png', 'What drink is this?', 'coffee', 'train'],
      ['rocket.jpg', 'What is this?', 'rocket', 'val'],
    ] as const;
    for (const [file, q, a, split] of samples) {
      const image = await call<{ id: string }>('images.add', { dataBase64: photo(file).toString('base64') });
      await call('samples.create', { datasetId, sample: { imageIds: [image.id], turns: [{ user: q, assistant: a }], status: 'done', split } });
    }
    run = await call<RunSummary>('runs.start', {
      datasetId,
      baseModelId: model.id,
      preset: 'full',
      maxSteps: 1,
      checkpointEvery: 1,
      batchSize: 1,
      evalSamples: 5,
    });
    run = await core.runManager.settled(run.id);
  }, 120_000);

  afterAll(() => {
    core.close();
    temp.remove();
  });

  it('"Train elsewhere" writes the hand-off as a job with progress', async () => {
    const progress: number[] = [];
    const stop = core.events.on('job.updated', (j) => progress.push(j.progress.done));
    const job = await call<Job>('runs.exportElsewhere', { id: run.id, outDir: handoff });
    const done = await core.jobs.settled(job.id);
    stop();
    expect(done.status, done.error).toBe('done');
    expect(JSON.parse(readFileSync(join(handoff, 'studio.json'), 'utf8')).runId).toBe(run.id);
    expect(JSON.parse(readFileSync(join(handoff, 'run.json'), 'utf8')).train_config).toMatchObject({ val_size: 1, max_training_steps: 1, batch_size: 1 });
    expect(progress.at(-1)).toBe(3);
    const again = await core.jobs.settled((await call<Job>('runs.exportElsewhere', { id: run.id, outDir: handoff })).id);
    expect(again.status).toBe('failed');
    expect(again.error).toMatch(/already exists and is not empty/);
  });

  it('a save_pretrained folder becomes a model of the run, scored on the same val split', async () => {
    // what nanoVLM's trainer writes: {vlm_checkpoint_path}/{run name}/step_{N}/config.json + model.safetensors
    const step = join(handoff, 'checkpoints', 'nanoVLM_run', 'step_40');
    mkdirSync(step, { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) cpSync(join(handoff, 'checkpoints', f), join(step, f));
    const updated = await call<RunSummary>('runs.addCheckpoint', { folder: step });
    const added = updated.checkpoints.find((c) => c.step === 40)!;
    expect(added).toMatchObject({ dir: step, origin: 'nanovlm' });
    expect(updated.checkpoints.map((c) => c.step)).toEqual([1, 40]);
    const models = await call<ModelInfo[]>('models.list', {});
    expect(models.find((m) => m.id === added.modelId)?.name).toMatch(/nanoVLM step 40/);

    const settled = await core.runManager.settled(run.id);
    expect(settled.checkpoints.find((c) => c.step === 40)!.valAccuracy).toBeGreaterThanOrEqual(0);
    const predictions = await call<RunPredictions>('runs.predictions', { id: run.id, step: 40 });
    expect(predictions).toMatchObject({ steps: [1, 40], n: 1, items: [{ question: 'What is this?', expected: 'rocket' }] });

    const answered = new Promise<ChatMessage>((resolve) => {
      const stop = core.events.on('chat.message', (m) => {
        if (m.role === 'assistant' && m.status !== 'streaming') {
          stop();
          resolve(m);
        }
      });
    });
    const image = await call<{ id: string }>('images.add', { dataBase64: photo('rocket.jpg').toString('base64') });
    const sent = await call<ChatSendResult>('chat.send', {
      modelId: added.modelId,
      text: 'What is this?',
      imageIds: [image.id],
      settings: { maxNewTokens: 3 },
    });
    const answer = await answered;
    expect(answer.id).toBe(sent.assistantMessage.id);
    expect(answer.status, answer.error ?? '').toBe('done');
  });

  it('refuses what is not a checkpoint of the run, naming why', async () => {
    const prefix = join(temp.path, 'step_7');
    cpSync(fixtureModelFolder('prefix'), prefix, { recursive: true });
    await expect(call('runs.addCheckpoint', { folder: prefix, id: run.id })).rejects.toThrow(/prefix-family model; the run's base model is split-family/);
    await expect(call('runs.addCheckpoint', { folder: prefix })).rejects.toThrow(/no studio\.json of a hand-off above it/);
    const unnamed = join(handoff, 'checkpoints', 'nanoVLM_run', 'best');
    mkdirSync(unnamed, { recursive: true });
    for (const f of ['config.json', 'model.safetensors']) cpSync(join(handoff, 'checkpoints', f), join(unnamed, f));
    await expect(call('runs.addCheckpoint', { folder: unnamed })).rejects.toThrow(/not named step_<N>/);
    expect(existsSync(join(unnamed, 'model.safetensors'))).toBe(true);
  });
});
