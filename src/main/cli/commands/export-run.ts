// `nanovlm export-run`: hand a run to nanoVLM's own PyTorch trainer (one GPU, several, several
// machines with torchrun): a folder with the dataset version as Parquet shards, the base
// checkpoint, run.json under nanoVLM's field names, launch.py and a README with the commands.
import { resolve } from 'node:path';
import { numberOption, requireString, type CliCommand } from '../command';
import { defaultDataFolder } from '../../data/data-folder';
import { DatasetStore } from '../../data/dataset-store';
import { acquireInstanceLock } from '../../data/instance-lock';
import { resolveModel } from '../../hub/hub';
import { exportRun } from '../../handoff/export-run';
import { NANOVLM_REVISION } from '../../handoff/nanovlm-trainer';
import { batchSettingsFrom, learningRatesFrom, maxStepsFrom, RUN_OPTIONS, RUN_OPTIONS_USAGE, scheduleFrom, wholePositive } from '../run-options';
import type { DatasetVersion } from '../../../shared/datasets';

/** NAME or NAME@VERSION: the named version, else a version of the dataset as it is now. */
function versionOf(store: DatasetStore, reference: string): { name: string; version: DatasetVersion } {
  const at = /^(.*)@(\d+)$/.exec(reference);
  const name = at ? at[1]! : reference;
  const id = store.datasets.findByName(name);
  if (id === null)
    throw new Error(
      `no dataset named "${name}" (datasets: ${
        store
          .listDatasets()
          .map((d) => d.name)
          .join(', ') || 'none'
      })`,
    );
  if (!at) return { name, version: store.createVersion(id, { note: 'nanovlm export-run' }) };
  const version = store.listVersions(id).find((v) => v.id === Number(at[2]));
  if (!version)
    throw new Error(
      `dataset "${name}" has no version ${at[2]} (versions: ${
        store
          .listVersions(id)
          .map((v) => v.id)
          .join(', ') || 'none'
      })`,
    );
  return { name, version };
}

export const command: CliCommand = {
  name: 'export-run',
  summary: "hand a run to nanoVLM's own trainer (torchrun, several GPUs or machines): data, checkpoint, run.json, launcher",
  usage: [
    'Usage: nanovlm export-run --dataset NAME[@VERSION] --model REF --out DIR [run settings] [--processes N]',
    '',
    `Writes a folder for nanoVLM's train.py (${NANOVLM_REVISION.branch} branch, commit ${NANOVLM_REVISION.commit.slice(0, 12)}; split-family models):`,
    'dataset/data/train-*.parquet, checkpoints/ (the base model), run.json, launch.py and README.md with the commands.',
    '',
    '  --dataset NAME[@V]     a studio dataset (its version V, else a version of it as it is now)',
    '  --model REF            base checkpoint: Hub repo id or folder',
    '  --out DIR              the folder to write (must not exist, or be empty)',
    ...RUN_OPTIONS_USAGE,
    '  --max-grad-norm N      gradient clipping (default 1.0; 0 turns it off)',
    '  --processes N          GPUs over all machines the data is laid out for (default 1)',
  ].join('\n'),
  options: {
    dataset: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    ...RUN_OPTIONS,
    'max-grad-norm': { type: 'string' },
    processes: { type: 'string' },
  },
  async run(args, io) {
    const datasetRef = requireString(args, 'dataset');
    const modelRef = requireString(args, 'model');
    const outDir = resolve(requireString(args, 'out'));
    const learningRates = learningRatesFrom(args);
    const batch = batchSettingsFrom(args);
    const processes = numberOption(args, 'processes', wholePositive) ?? 1;
    const clip = numberOption(args, 'max-grad-norm', (n) => Number.isFinite(n) && n >= 0);
    const model = await resolveModel(modelRef, { signal: io.signal });
    const dataDir = defaultDataFolder();
    const lock = acquireInstanceLock(dataDir);
    const store = DatasetStore.open(dataDir);
    try {
      const { name, version } = versionOf(store, datasetRef);
      const samplesPerStep = batch.batchSize * batch.gradientAccumulationSteps;
      const report = await exportRun({
        store,
        versionId: version.id,
        datasetLabel: `"${name}" version ${version.id} (${version.contentHash.slice(0, 12)})`,
        base: { folder: model.folder, tokenizerFolder: model.tokenizerFolder, name: modelRef },
        settings: {
          learningRates,
          ...batch,
          maxSteps: maxStepsFrom(args, version.splitCounts.train, samplesPerStep),
          maxGradNorm: clip === 0 ? null : (clip ?? 1.0),
          processes,
          ...scheduleFrom(args),
        },
        outDir,
        runName: `${modelRef.split(/[\\/]/).filter(Boolean).pop()} on ${name}`,
        signal: io.signal,
        onProgress: (done, total, what) => {
          if (done === total || done % 500 === 0) io.err(`${what}: ${done}/${total}\n`);
        },
      });
      io.out(`wrote ${outDir}: ${report.trainRows} training rows, ${report.valRows} val rows, for ${processes} process(es); see its README.md\n`);
      return 0;
    } finally {
      store.close();
      lock.release();
    }
  },
};
