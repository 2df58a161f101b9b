// `nanovlm push model|dataset`: upload a model (with a model card) or a dataset version (Parquet per
// split, with a dataset card) to a Hub repo, with the token huggingface_hub uses (HF_TOKEN, then
// $HF_HOME/token). Progress on stderr; Ctrl-C cancels.
import { existsSync, realpathSync } from 'node:fs';
import { requireString, UsageError, type CliCommand, type CliIO, type ParsedArgs } from '../command';
import { defaultDataFolder } from '../../data/data-folder';
import { DatasetStore } from '../../data/dataset-store';
import { acquireInstanceLock } from '../../data/instance-lock';
import { hubSettingsFromEnv, resolveModel } from '../../hub/hub';
import { findHubToken, tokenFilePath } from '../../hub/hub-token';
import { pushDatasetVersion, pushModel, type PushTarget } from '../../hub/hub-push';
import { ModelRegistry } from '../../registry/model-registry';
import { RunStore } from '../../runs/run-store';
import { modelCardFacts } from '../../runs/model-provenance';
import { parameterCount } from '../../model/parameters';
import { openCheckpoint } from '../../model/checkpoint';

function target(args: ParsedArgs, io: CliIO): PushTarget {
  const found = findHubToken();
  if (!found) throw new Error(`no Hub token: set HF_TOKEN or run huggingface-cli login (which writes ${tokenFilePath()})`);
  let last = 0;
  return {
    repo: requireString(args, 'repo'),
    token: found.token,
    endpoint: hubSettingsFromEnv().endpoint,
    private: Boolean(args.values.private),
    signal: io.signal,
    onProgress: (done, total, stage) => {
      const now = Date.now();
      if (stage === 'done' || now - last > 1000) {
        last = now;
        io.err(`${stage}: ${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB\n`);
      }
    },
  };
}

/** The studio's data folder when there is one (for model cards and dataset versions). */
function withStudio<T>(work: (store: DatasetStore) => T): T | undefined {
  const dataDir = defaultDataFolder();
  if (!existsSync(dataDir)) return undefined;
  const lock = acquireInstanceLock(dataDir);
  const store = DatasetStore.open(dataDir);
  try {
    return work(store);
  } finally {
    store.close();
    lock.release();
  }
}

async function pushModelCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const push = target(args, io);
  const resolved = await resolveModel(requireString(args, 'model'), { signal: io.signal });
  const folder = realpathSync(resolved.folder);
  const card =
    withStudio((store) => {
      const models = new ModelRegistry(store.db);
      const known = models.list().find((m) => realpathSync(m.folder) === folder);
      return known && modelCardFacts(push.repo, known, { runs: new RunStore(store.db), models, datasets: store });
    }) ??
    (() => {
      const checkpoint = openCheckpoint(folder);
      const facts = {
        repo: push.repo,
        name: push.repo.split('/')[1]!,
        family: checkpoint.family,
        parameters: parameterCount(checkpoint.config),
        baseModel: resolved.repo ?? folder,
        baseIsHubRepo: Boolean(resolved.repo),
      };
      checkpoint.close();
      return facts;
    })();
  const result = await pushModel(push, { folder, tokenizerFolder: resolved.tokenizerFolder, card });
  io.out(`pushed ${folder} to ${result.repoUrl}${result.commitUrl ? ` (${result.commitUrl})` : ''}\n`);
  return 0;
}

async function pushDatasetCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const push = target(args, io);
  const reference = args.positionals[1];
  if (!reference) throw new UsageError('give the dataset: nanovlm push dataset NAME[@VERSION] --repo owner/name');
  const at = /^(.*)@(\d+)$/.exec(reference);
  const name = at ? at[1]! : reference;
  const dataDir = defaultDataFolder();
  if (!existsSync(dataDir)) throw new Error(`no studio data folder at ${dataDir}`);
  const lock = acquireInstanceLock(dataDir);
  const store = DatasetStore.open(dataDir);
  try {
    const id = store.datasets.findByName(name);
    if (id === null) throw new Error(`no dataset named "${name}" (see nanovlm dataset list)`);
    const dataset = store.getDataset(id);
    const version = at ? store.listVersions(id).find((v) => v.id === Number(at[2])) : store.createVersion(id, { note: `pushed to ${push.repo}` });
    if (!version) throw new Error(`dataset "${name}" has no version ${at![2]}`);
    const result = await pushDatasetVersion(push, {
      store,
      versionId: version.id,
      card: { name: dataset.name, description: dataset.description, versionId: version.id, contentHash: version.contentHash },
    });
    io.out(`pushed "${name}" version ${version.id} to ${result.repoUrl}\n`);
    return 0;
  } finally {
    store.close();
    lock.release();
  }
}

export const command: CliCommand = {
  name: 'push',
  summary: 'upload a model or a dataset version to a Hub repo (with a model or dataset card)',
  usage: [
    'Usage: nanovlm push model --model <repo id|folder> --repo owner/name [--private]',
    '       nanovlm push dataset NAME[@VERSION] --repo owner/name [--private]',
    '',
    'The token is the one huggingface_hub uses: HF_TOKEN, else the file $HF_HOME/token (huggingface-cli login).',
    'HF_ENDPOINT names another Hub. A repo that exists with other files is refused, never overwritten.',
    '',
    "  model    config.json, model.safetensors (nanoVLM's state_dict), the tokenizer files and a model card",
    "           (base model, dataset version, settings and val accuracy when the model is a run's checkpoint)",
    '  dataset  data/{train,validation,test}-00000-of-00001.parquet (the_cauldron layout) and a dataset card;',
    '           without @VERSION, a version of the dataset as it is now',
  ].join('\n'),
  options: {
    model: { type: 'string' },
    repo: { type: 'string' },
    private: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    const what = args.positionals[0];
    if (what === 'model') return pushModelCommand(args, io);
    if (what === 'dataset') return pushDatasetCommand(args, io);
    throw new UsageError('say what to push: nanovlm push model … or nanovlm push dataset …');
  },
};
