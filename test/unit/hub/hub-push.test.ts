// Pushing to the Hub, against the local fake Hub answering the upload API as the Hub does (whoami,
// repo creation, preupload, LFS batch + PUT, NDJSON commit), driven by @huggingface/hub: a run's
// model with its card, a dataset version as Parquet with its card, the token found where
// huggingface_hub looks and never stored or logged, progress and cancel, and the refusals.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubStatus } from '../../../src/shared/api';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import type { RunSummary } from '../../../src/shared/runs';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { main } from '../../../src/main/cli/index';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { photo } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';
import { startFakeHub, type FakeHub } from '../../helpers/fake-hub-server';

const TOKEN = 'hf_studioTestWriteToken123';
const ENV_KEYS = ['HF_ENDPOINT', 'HF_HOME', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'NANOVLM_STUDIO_HOME'] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

describe('push to the Hub', () => {
  const temp = makeTempDir();
  const dataDir = join(temp.path, 'data');
  let hub: FakeHub;
  let core: StudioCore;
  let run: RunSummary;
  let datasetId: number;
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;
  const settle = async (job: Job) => core.jobs.settled(job.id);

  beforeAll(async () => {
    hub = await startFakeHub({ 'someone/taken': { commit: 'a'.repeat(40), files: { 'weights.bin': 'not ours' } } }, { writeTokens: [TOKEN] });
    for (const k of ENV_KEYS) delete process.env[k];
    process.env.HF_ENDPOINT = hub.url;
    process.env.HF_HOME = join(temp.path, 'hf-home');
    core = createStudioCore({ dataDir, door: 'web' });
    const added = await settle(await call<Job>('models.add', { reference: fixtureModelFolder('split') }));
    const model = added.result as ModelInfo;
    datasetId = (await call<{ id: number }>('datasets.create', { name: 'photos', description: 'Three photos and a question each.' })).id;
    for (const [file, q, a, split] of [
      ['chelsea.png', 'What animal is this?', 'cat', 'train'],
      ['coffee.png', 'What drink is this?', 'coffee', 'train'],
      ['rocket.jpg', 'What is this?', 'rocket', 'val'],
    ] as const) {
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

  afterAll(async () => {
    core.close();
    await hub.close();
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    temp.remove();
  });

  it('without a token says where to put one; a token entered is saved where huggingface_hub reads it, never in the database', async () => {
    const status = await call<HubStatus>('hub.status', {});
    expect(status.token).toEqual({ found: false, file: join(temp.path, 'hf-home', 'token') });
    await expect(call('models.push', { id: run.checkpoints[0]!.modelId, repo: 'studio-user/demo' })).rejects.toThrow(/no Hub token: set HF_TOKEN/);
    await expect(call('hub.saveToken', { token: 'not a token!' })).rejects.toThrow(/does not look like a Hub access token/);
    const saved = await call<HubStatus>('hub.saveToken', { token: TOKEN });
    expect(saved.token).toEqual({ found: true, source: join(temp.path, 'hf-home', 'token'), file: join(temp.path, 'hf-home', 'token') });
    expect(JSON.stringify(saved)).not.toContain(TOKEN);
    expect(readFileSync(join(temp.path, 'hf-home', 'token'), 'utf8')).toBe(TOKEN);
    process.env.HF_TOKEN = 'hf_fromTheEnvironment';
    expect((await call<HubStatus>('hub.status', {})).token.source).toBe('HF_TOKEN');
    delete process.env.HF_TOKEN;
  });

  it('pushes a run’s model with a model card: base model, dataset version, settings, val accuracy', async () => {
    const modelId = run.checkpoints.at(-1)!.modelId!;
    const progress: Job[] = [];
    const stop = core.events.on('job.updated', (j) => {
      if (j.kind === 'upload') progress.push(j);
    });
    const job = await settle(await call<Job>('models.push', { id: modelId, repo: 'studio-user/photo-vlm' }));
    stop();
    expect(job.status, job.error).toBe('done');
    const repo = hub.repos.get('studio-user/photo-vlm')!;
    expect(Object.keys(repo.files)).toEqual(
      expect.arrayContaining(['README.md', 'config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']),
    );
    expect(repo.lfs).toContain('model.safetensors');
    const weights = join(temp.path, 'pushed.safetensors');
    writeFileSync(weights, repo.files['model.safetensors']!);
    const file = SafetensorsFile.open(weights);
    expect(file.has('decoder.rotary_embd.inv_freq')).toBe(true);
    file.close();
    const card = Buffer.from(repo.files['README.md'] as Uint8Array).toString('utf8');
    expect(card).toMatch(/library_name: nanovlm/);
    expect(card).toMatch(/Dataset: photos, version \d+ \(content hash `[0-9a-f]{12}`\): 2 training and 1 val samples/);
    expect(card).toMatch(/Learning rates: projector 0\.00512, vision encoder 0\.00005, language decoder 0\.00005 \(preset full/);
    expect(card).toMatch(/Exact match of greedy answers on the dataset version's val split: \*\*\d+\.\d%\*\* of 1 questions/);
    expect(progress.at(-1)!.progress).toMatchObject({ unit: 'bytes' });
    expect(progress.at(-1)!.progress.done).toBe(progress.at(-1)!.progress.total);
  });

  it('pushes a dataset version as Parquet with a dataset card', async () => {
    const job = await settle(await call<Job>('datasets.pushVersion', { datasetId, repo: 'studio-user/photos' }));
    expect(job.status, job.error).toBe('done');
    const repo = hub.repos.get('datasets/studio-user/photos')!;
    expect(Object.keys(repo.files).sort()).toEqual(['README.md', 'data/train-00000-of-00001.parquet', 'data/validation-00000-of-00001.parquet']);
    const card = Buffer.from(repo.files['README.md'] as Uint8Array).toString('utf8');
    expect(card).toMatch(/configs:\n {2}- config_name: default\n {4}data_files:\n {6}- split: train\n {8}path: data\/train-\*/);
    expect(card).toMatch(/2 train, 1 validation samples/);
  });

  it('refuses a repo that exists with other content, and a token the Hub refuses', async () => {
    const other = await settle(await call<Job>('models.push', { id: run.checkpoints.at(-1)!.modelId!, repo: 'someone/taken' }));
    expect(other.status).toBe('failed');
    expect(other.error).toMatch(/someone\/taken: the model repo already exists with other content \(weights\.bin\)/);
    expect(hub.repos.get('someone/taken')!.files).toEqual({ 'weights.bin': 'not ours' });

    process.env.HF_TOKEN = 'hf_revokedTokenXYZ';
    const refused = await settle(await call<Job>('models.push', { id: run.checkpoints.at(-1)!.modelId!, repo: 'studio-user/other' }));
    delete process.env.HF_TOKEN;
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/the Hub refused the token \(HTTP 401\)/);
    expect(refused.error).not.toContain('hf_revokedTokenXYZ');
    expect(hub.repos.has('studio-user/other')).toBe(false);
  });

  it('cancels an upload in flight: no commit is made', async () => {
    hub.lfs.clear(); // the weights were uploaded before: forget them, so they are sent again
    hub.behaviour.uploadDelayMs = 3000;
    const job = await call<Job>('models.push', { id: run.checkpoints.at(-1)!.modelId!, repo: 'studio-user/cancelled' });
    await new Promise<void>((resolve) => {
      const stop = core.events.on('job.updated', (j) => {
        if (j.id === job.id && j.progress.stage?.startsWith('uploading')) {
          stop();
          resolve();
        }
      });
      setTimeout(resolve, 2500);
    });
    await call('jobs.cancel', { id: job.id });
    const ended = await settle(job);
    hub.behaviour.uploadDelayMs = undefined;
    expect(ended.status).toBe('cancelled');
    expect(Object.keys(hub.repos.get('studio-user/cancelled')?.files ?? {})).toEqual([]);
  });

  it('never writes the token into the database or the run logs', () => {
    for (const file of readdirSync(dataDir).filter((f) => f.startsWith('studio.db'))) {
      expect(readFileSync(join(dataDir, file)).includes(Buffer.from(TOKEN)), file).toBe(false);
    }
  });

  it('nanovlm push model and push dataset do the same from the command line', async () => {
    process.env.NANOVLM_STUDIO_HOME = join(temp.path, 'cli-home');
    mkdirSync(process.env.NANOVLM_STUDIO_HOME, { recursive: true });
    let out = '';
    let err = '';
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t), signal: new AbortController().signal };
    const code = await main(['push', 'model', '--model', fixtureModelFolder('split'), '--repo', 'studio-user/from-cli'], io);
    expect(code, err).toBe(0);
    expect(out).toMatch(/pushed .* to .*studio-user\/from-cli/);
    expect(err).toMatch(/done: [\d.]+ of [\d.]+ MB/);
    expect(Object.keys(hub.repos.get('studio-user/from-cli')!.files)).toContain('README.md');
    const refused = await main(['push', 'dataset', 'nothing-here', '--repo', 'studio-user/x'], io);
    expect(refused).toBe(1);
    expect(err).toMatch(/no dataset named "nothing-here"/);
  });
});
