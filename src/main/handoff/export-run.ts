// Hand a run to nanoVLM's own trainer: one folder with the dataset version as Parquet shards, the
// base checkpoint, run.json, launch.py and a README (see launcher-files.ts). Written in a staging
// folder beside the target and renamed into place, so a failure or a cancel leaves nothing behind.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DatasetStore } from '../data/dataset-store';
import { openCheckpoint } from '../model/checkpoint';
import { copyModelWeights } from '../model/model-weights-file';
import { TOKENIZER_FILES } from '../hub/hub';
import { handoffReadme, LAUNCHER_FILE, launcherScript } from './launcher-files';
import { checkExpressible, HANDOFF_PATHS, HandoffError, notMapped, runJsonOf, type HandoffSettings } from './run-json';
import { writeVersionShards } from './version-shards';

/** studio.json: what the studio needs to take the results back (not read by nanoVLM). */
export const STUDIO_FILE = 'studio.json';

export interface StudioHandoffInfo {
  format: 'nanovlm-studio-handoff/1';
  runId?: string;
  runName: string;
  datasetVersionId: number;
  baseModel: string;
}

export interface ExportRunRequest {
  store: DatasetStore;
  versionId: number;
  datasetLabel: string;
  base: { folder: string; tokenizerFolder: string; name: string };
  settings: HandoffSettings;
  outDir: string;
  runName: string;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface ExportRunReport {
  outDir: string;
  trainRows: number;
  valRows: number;
  valLeftOut: number;
  notMapped: string[];
}

function checkTarget(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new HandoffError('out', `${outDir} already exists and is not empty: choose a new folder`);
}

/** The base checkpoint as from_pretrained loads it: nanoVLM's state_dict, config.json with VLMConfig's fields only. */
function writeBaseCheckpoint(baseFolder: string, target: string, vlmConfig: object): void {
  mkdirSync(target, { recursive: true });
  copyModelWeights(baseFolder, join(target, 'model.safetensors'));
  writeFileSync(join(target, 'config.json'), `${JSON.stringify(vlmConfig, null, 4)}\n`);
}

function copyTokenizer(from: string, to: string): boolean {
  if (!existsSync(join(from, 'tokenizer.json'))) return false;
  mkdirSync(to, { recursive: true });
  for (const file of TOKENIZER_FILES) if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file));
  return true;
}

export async function exportRun(req: ExportRunRequest): Promise<ExportRunReport> {
  const { settings } = req;
  if (!Number.isInteger(settings.processes) || settings.processes < 1)
    throw new HandoffError('processes', `processes must be a whole number ≥ 1, not ${settings.processes}`);
  checkTarget(req.outDir);
  const checkpoint = openCheckpoint(req.base.folder);
  const spec = { family: checkpoint.family, config: checkpoint.config };
  checkpoint.close();
  checkExpressible(spec, `the base model "${req.base.name}"`);
  const raw = JSON.parse(readFileSync(join(req.base.folder, 'config.json'), 'utf8')) as Record<string, unknown>;

  const staging = join(dirname(req.outDir), `.${basename(req.outDir)}.${process.pid}.partial`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const shards = await writeVersionShards(req.store, req.versionId, join(staging, HANDOFF_PATHS.dataset), {
      processes: settings.processes,
      seed: settings.seed,
      signal: req.signal,
      onRow: (done, total) => req.onProgress?.(done, total, 'writing the dataset shards'),
    });
    req.signal?.throwIfAborted();
    const localTokenizer = copyTokenizer(req.base.tokenizerFolder, join(staging, HANDOFF_PATHS.tokenizer));
    const run = runJsonOf(spec, raw, settings, { valRows: shards.valRows, maxImagesPerSample: shards.maxImagesPerSample }, localTokenizer);
    writeBaseCheckpoint(req.base.folder, join(staging, HANDOFF_PATHS.checkpoints), run.vlm_config);
    req.signal?.throwIfAborted();
    const unmapped = notMapped(spec, raw, settings);
    writeFileSync(join(staging, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
    writeFileSync(join(staging, LAUNCHER_FILE), launcherScript());
    writeFileSync(
      join(staging, 'README.md'),
      handoffReadme({
        runName: req.runName,
        baseModel: req.base.name,
        dataset: req.datasetLabel,
        processes: settings.processes,
        trainRows: shards.trainRows,
        valRows: shards.valRows,
        valLeftOut: shards.valLeftOut,
        shardFiles: shards.files.length,
        notMapped: unmapped,
      }),
    );
    const info: StudioHandoffInfo = {
      format: 'nanovlm-studio-handoff/1',
      ...(req.runId ? { runId: req.runId } : {}),
      runName: req.runName,
      datasetVersionId: req.versionId,
      baseModel: req.base.name,
    };
    writeFileSync(join(staging, STUDIO_FILE), `${JSON.stringify(info, null, 2)}\n`);
    checkTarget(req.outDir);
    rmSync(req.outDir, { recursive: true, force: true }); // an empty folder the person chose
    mkdirSync(dirname(req.outDir), { recursive: true });
    renameSync(staging, req.outDir);
    return { outDir: req.outDir, trainRows: shards.trainRows, valRows: shards.valRows, valLeftOut: shards.valLeftOut, notMapped: unmapped };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
