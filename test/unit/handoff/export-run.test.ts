// `nanovlm export-run` end to end on a real data folder: the folder nanoVLM's train.py reads (Parquet
// shards opened by DuckDB, an independent reader), the base checkpoint as nanoVLM loads it, run.json
// under nanoVLM's field names, a launcher that really sets them and calls train() (run by Python
// against stand-ins of nanoVLM's modules), a README with the commands; bad input leaves nothing.
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { encodeSafetensors, SafetensorsFile } from '../../../src/main/model/safetensors';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { stateDictShapes } from '../../../src/main/model/parameters';
import { DatasetStore } from '../../../src/main/data/dataset-store';
import { exportRun } from '../../../src/main/handoff/export-run';
import { notMapped } from '../../../src/main/handoff/run-json';
import { NANOVLM_REVISION, TRAIN_CONFIG_FIELDS, VLM_CONFIG_FIELDS } from '../../../src/main/handoff/nanovlm-trainer';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PYTHON = spawnSync('python3', ['--version']).status === 0;
const DEMO_MODEL = join(ROOT, 'resources', 'demo-model');
const temp = makeTempDir('export-run-');
const previousHome = process.env.NANOVLM_STUDIO_HOME;
const home = join(temp.path, 'home');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal });
  return { code, out, err };
}

/** Rows of a Parquet file as DuckDB reads it: the texts and the image paths and byte counts. */
async function duckRows(file: string): Promise<{ texts: { user: string; assistant: string }[]; images: { bytes: number; path: string }[] }[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT to_json(texts) AS texts, to_json(list_transform(images, x -> {'bytes': octet_length(x.bytes), 'path': x.path})) AS images FROM read_parquet('${file}')`,
    );
    return reader.getRowObjects().map((r) => ({ texts: JSON.parse(String(r.texts)), images: JSON.parse(String(r.images)) }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

beforeAll(async () => {
  process.env.NANOVLM_STUDIO_HOME = home;
  const imported = await cli('dataset', 'import', join(ROOT, 'resources', 'demo-data', 'demo.jsonl'), '--name', 'shapes');
  expect(imported.code, imported.err + imported.out).toBe(0);
}, 120_000);
afterAll(() => {
  if (previousHome === undefined) delete process.env.NANOVLM_STUDIO_HOME;
  else process.env.NANOVLM_STUDIO_HOME = previousHome;
  temp.remove();
});

describe('nanovlm export-run', () => {
  const out = join(temp.path, 'handoff');

  it('writes the folder nanoVLM’s train.py reads, with run.json under its field names', async () => {
    const result = await cli(
      'export-run',
      '--dataset',
      'shapes',
      '--model',
      DEMO_MODEL,
      '--out',
      out,
      '--preset',
      'full',
      '--lr-mp',
      '0.002',
      '--batch-size',
      '4',
      '--grad-accum',
      '2',
      '--max-steps',
      '30',
      '--checkpoint-every',
      '10',
      '--processes',
      '2',
    );
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/33 training rows, 6 val rows, for 2 process/);
    expect(readdirSync(out).sort()).toEqual(['README.md', 'checkpoints', 'dataset', 'launch.py', 'run.json', 'studio.json', 'tokenizer']);

    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(Object.keys(run).sort()).toEqual(['nanovlm_revision', 'train_config', 'vlm_config']);
    expect(run.nanovlm_revision.commit).toBe(NANOVLM_REVISION.commit);
    for (const key of Object.keys(run.train_config)) expect(TRAIN_CONFIG_FIELDS as readonly string[], key).toContain(key);
    for (const key of Object.keys(run.vlm_config)) expect(VLM_CONFIG_FIELDS as readonly string[], key).toContain(key);
    expect(run.train_config).toMatchObject({
      lr_mp: 0.002,
      lr_vision_backbone: 5e-5,
      lr_language_backbone: 5e-5,
      batch_size: 4,
      gradient_accumulation_steps: 2,
      max_training_steps: 30,
      eval_interval: 10,
      val_size: 6,
      max_grad_norm: 1,
      train_dataset_path: 'dataset',
      train_dataset_name: ['default'],
      stream_dataset: true,
      resume_from_vlm_checkpoint: true,
      log_wandb: false,
      use_lmms_eval: false,
    });
    const demoConfig = JSON.parse(readFileSync(join(DEMO_MODEL, 'config.json'), 'utf8'));
    expect(run.vlm_config).toMatchObject({
      vit_img_size: demoConfig.vit_img_size,
      max_img_size: demoConfig.max_img_size,
      lm_vocab_size: 322,
      vlm_extra_tokens: demoConfig.vlm_extra_tokens,
      lm_tokenizer: 'tokenizer',
      vlm_checkpoint_path: 'checkpoints',
      hf_repo_name: null,
      vlm_load_backbone_weights: false,
    });

    // the base checkpoint as from_pretrained loads it: config keys all VLMConfig fields, the state_dict exactly
    const config = JSON.parse(readFileSync(join(out, 'checkpoints', 'config.json'), 'utf8'));
    for (const key of Object.keys(config)) expect(VLM_CONFIG_FIELDS as readonly string[], key).toContain(key);
    const checkpoint = openCheckpoint(join(out, 'checkpoints'));
    expect(checkpoint.weights.names().sort()).toEqual([...stateDictShapes(checkpoint.config).keys()].sort());
    checkpoint.close();
    expect(readFileSync(join(out, 'checkpoints', 'model.safetensors')).equals(readFileSync(join(DEMO_MODEL, 'model.safetensors')))).toBe(true);
    expect(existsSync(join(out, 'tokenizer', 'tokenizer.json'))).toBe(true);

    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain(NANOVLM_REVISION.commit);
    expect(readme).toContain('torchrun --standalone --nnodes 1 --nproc_per_node 2');
    expect(readme).toMatch(/torchrun --nnodes 2 --nproc_per_node 8 --node_rank/);
    expect(readme).toMatch(/What the studio could not map[\s\S]*packed sequences/);
    expect(readme).not.toContain('Learning-rate schedule'); // nanoVLM's own cosine and warmup
  });

  it("names a schedule or warmup nanoVLM's trainer cannot follow", () => {
    const checkpoint = openCheckpoint(DEMO_MODEL);
    const spec = { family: checkpoint.family, config: checkpoint.config };
    checkpoint.close();
    const settings = {
      learningRates: { mp: 1, vision: 0, language: 1 },
      batchSize: 1,
      gradientAccumulationSteps: 1,
      maxSteps: 10,
      maxGradNorm: 1,
      checkpointEvery: 5,
      seed: 0,
      processes: 1,
    };
    expect(notMapped(spec, {}, { ...settings, schedule: 'cosine', warmupFraction: 0.03 }).join('\n')).not.toContain('schedule');
    expect(notMapped(spec, {}, { ...settings, schedule: 'linear', warmupFraction: 0.1 }).join('\n')).toContain(
      "the run's linear schedule with a 10.0% warmup is not carried over",
    );
  });

  it('lays the shards out so that each process validates on val rows only (read by DuckDB)', async () => {
    const store = DatasetStore.open(home);
    const version = store.listVersions(store.datasets.findByName('shapes')!).at(-1)!;
    const val = [...store.versionSamples(version.id, 'val')].map((s) => s.texts[0]!.user + s.texts[0]!.assistant);
    const train = [...store.versionSamples(version.id, 'train')].map((s) => s.texts[0]!.user + s.texts[0]!.assistant);
    store.close();
    const shards = readdirSync(join(out, 'dataset', 'data')).sort();
    expect(shards).toEqual(['train-00000-of-00002.parquet', 'train-00001-of-00002.parquet']);
    const seen: string[] = [];
    for (const [i, shard] of shards.entries()) {
      const rows = await duckRows(join(out, 'dataset', 'data', shard));
      const keys = rows.map((r) => r.texts[0]!.user + r.texts[0]!.assistant);
      expect(keys.slice(0, 3)).toEqual(val.slice(i * 3, i * 3 + 3));
      for (const key of keys.slice(3)) expect(train).toContain(key);
      for (const row of rows) expect(row.images[0]!.bytes).toBeGreaterThan(100);
      seen.push(...keys.slice(3));
    }
    expect(seen.sort()).toEqual(train.slice().sort());
  });

  // (.ci/run installs python3; the launcher's files are checked by the tests above either way)
  it.skipIf(!PYTHON)(
    'launch.py sets nanoVLM’s fields from run.json and calls train() (Python, against stand-ins for nanoVLM’s modules; skipped: no python3)',
    () => {
      const nanovlm = join(temp.path, 'nanovlm-stand-in');
      mkdirSync(join(nanovlm, 'models'), { recursive: true });
      mkdirSync(join(nanovlm, 'torch', 'distributed'), { recursive: true });
      writeFileSync(join(nanovlm, 'torch', '__init__.py'), '');
      writeFileSync(join(nanovlm, 'torch', 'distributed', '__init__.py'), 'def new_group(backend):\n    return backend\n');
      writeFileSync(join(nanovlm, 'models', '__init__.py'), '');
      const dataclass = (name: string, fields: readonly string[]) => `@dataclass\nclass ${name}:\n${fields.map((f) => `    ${f}: object = None`).join('\n')}\n`;
      writeFileSync(
        join(nanovlm, 'models', 'config.py'),
        `from dataclasses import dataclass\n\n${dataclass('TrainConfig', TRAIN_CONFIG_FIELDS)}\n${dataclass('VLMConfig', VLM_CONFIG_FIELDS)}`,
      );
      writeFileSync(
        join(nanovlm, 'train.py'),
        [
          'import json, os',
          'from dataclasses import asdict',
          'PG_CPU = None',
          'def init_dist(): pass',
          'def destroy_dist(): pass',
          'def is_dist(): return False',
          'def is_master(): return True',
          'def train(train_cfg, vlm_cfg):',
          '    with open(os.environ["STAND_IN_OUT"], "w") as f:',
          '        json.dump({"train": asdict(train_cfg), "vlm": asdict(vlm_cfg)}, f)',
        ].join('\n'),
      );
      const recorded = join(temp.path, 'recorded.json');
      const ran = spawnSync('python3', [join(out, 'launch.py')], {
        cwd: nanovlm,
        env: { ...process.env, STAND_IN_OUT: recorded, PYTHONDONTWRITEBYTECODE: '1' },
        encoding: 'utf8',
      });
      expect(ran.status, ran.stderr).toBe(0);
      const { train, vlm } = JSON.parse(readFileSync(recorded, 'utf8'));
      expect(train.train_dataset_path).toBe(join(out, 'dataset'));
      expect(train.lr_mp).toBe(0.002);
      expect(train.val_size).toBe(6);
      expect(vlm.vlm_checkpoint_path).toBe(join(out, 'checkpoints'));
      expect(vlm.lm_tokenizer).toBe(join(out, 'tokenizer'));
    },
  );

  it('refuses bad input with a clear message and leaves nothing behind', async () => {
    const target = join(temp.path, 'refused');
    const prefix = fixtureModelFolder('prefix');
    const family = await cli('export-run', '--dataset', 'shapes', '--model', prefix, '--out', target);
    expect(family.code).toBe(1);
    expect(family.err).toMatch(/prefix-family model.*split family only/);

    const tooMany = await cli('export-run', '--dataset', 'shapes', '--model', DEMO_MODEL, '--out', target, '--processes', '8');
    expect(tooMany.code).toBe(1);
    expect(tooMany.err).toMatch(/6 answered val sample\(s\).*at least one val sample per process \(8\)/);

    const exists = await cli('export-run', '--dataset', 'shapes', '--model', DEMO_MODEL, '--out', out);
    expect(exists.code).toBe(1);
    expect(exists.err).toMatch(/already exists and is not empty/);

    const missing = await cli('export-run', '--dataset', 'shapes@999', '--model', DEMO_MODEL, '--out', target);
    expect(missing.err).toMatch(/no version 999/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(temp.path).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('a dataset version without training samples is refused; a cancel mid-way leaves no folder', async () => {
    const store = DatasetStore.open(home);
    try {
      const empty = store.createDataset('only-val');
      const source = store.listDatasets().find((d) => d.name === 'shapes')!;
      const page = store.pageSamples({ datasetId: source.id, limit: 10 });
      for (const s of page.items.slice(0, 3)) {
        const full = store.getSample(s.id)!;
        store.createSample(empty.id, {
          imageIds: full.images.map((i) => i.id),
          turns: full.turns.map((t) => ({ user: t.user, assistant: t.assistant })),
          split: 'val',
          status: 'done',
        });
      }
      const version = store.createVersion(empty.id);
      const base = { folder: DEMO_MODEL, tokenizerFolder: DEMO_MODEL, name: 'demo' };
      const settings = {
        learningRates: { mp: 1e-3, vision: 0, language: 1e-4 },
        batchSize: 2,
        gradientAccumulationSteps: 1,
        maxSteps: 5,
        maxGradNorm: 1,
        checkpointEvery: 5,
        seed: 0,
        processes: 1,
      };
      const target = join(temp.path, 'no-train');
      await expect(exportRun({ store, versionId: version.id, datasetLabel: 'only-val', base, settings, outDir: target, runName: 'x' })).rejects.toThrow(
        /no answered samples in its train split/,
      );
      expect(existsSync(target)).toBe(false);

      const shapes = store.listVersions(source.id).at(-1)!;
      const controller = new AbortController();
      const cancelled = join(temp.path, 'cancelled');
      await expect(
        exportRun({
          store,
          versionId: shapes.id,
          datasetLabel: 'shapes',
          base,
          settings,
          outDir: cancelled,
          runName: 'x',
          signal: controller.signal,
          onProgress: (done) => {
            if (done === 5) controller.abort(new Error('cancelled'));
          },
        }),
      ).rejects.toThrow(/cancelled/);
      expect(existsSync(cancelled)).toBe(false);
      expect(readdirSync(temp.path).filter((f) => f.includes('.partial'))).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('copies a base checkpoint without the rotary buffer as nanoVLM’s state_dict', async () => {
    const older = join(temp.path, 'older-studio-model');
    cpSync(DEMO_MODEL, older, { recursive: true });
    const file = SafetensorsFile.open(join(older, 'model.safetensors'));
    const tensors = Object.fromEntries(
      file
        .names()
        .filter((n) => !n.includes('rotary'))
        .map((n) => [n, { dtype: 'F32' as const, shape: file.info(n).shape, data: file.readFloat32(n) }]),
    );
    file.close();
    writeFileSync(join(older, 'model.safetensors'), encodeSafetensors(tensors));
    const target = join(temp.path, 'from-older');
    const result = await cli('export-run', '--dataset', 'shapes', '--model', older, '--out', target, '--max-steps', '5');
    expect(result.code, result.err).toBe(0);
    const written = SafetensorsFile.open(join(target, 'checkpoints', 'model.safetensors'));
    expect(written.has('decoder.rotary_embd.inv_freq')).toBe(true);
    written.close();
  });
});
