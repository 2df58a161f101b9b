// The two human-facing files of a hand-off: launch.py (sets nanoVLM's TrainConfig / VLMConfig
// fields from run.json and calls nanoVLM's own train(), alone or under torchrun) and README.md
// (what is in the folder, the exact commands for one GPU, several GPUs, several machines, and what
// the studio could not map).
import { NANOVLM_REVISION } from './nanovlm-trainer';
import { HANDOFF_PATHS } from './run-json';

export const LAUNCHER_FILE = 'launch.py';

/** launch.py: run from a checkout of nanoVLM (it imports train.py and models/config.py from there). */
export function launcherScript(): string {
  return `# Trains a nanoVLM Studio run with nanoVLM's own trainer (train.py), on one GPU or under torchrun.
# Run it from a checkout of nanoVLM (${NANOVLM_REVISION.repository}, ${NANOVLM_REVISION.branch} at
# ${NANOVLM_REVISION.commit.slice(0, 12)}): it reads run.json beside this file, sets nanoVLM's TrainConfig and
# VLMConfig fields from it (train.py's command line exposes only some of them) and calls train().
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.getcwd())

import torch.distributed as dist  # noqa: E402
import train as nanovlm_train  # noqa: E402
from models.config import TrainConfig, VLMConfig  # noqa: E402


def in_here(path):
    return path if os.path.isabs(path) else os.path.join(HERE, path)


def main():
    with open(os.path.join(HERE, "run.json")) as f:
        run = json.load(f)
    train_cfg = TrainConfig(**run["train_config"])
    vlm_cfg = VLMConfig(**run["vlm_config"])
    train_cfg.train_dataset_name = tuple(train_cfg.train_dataset_name)
    train_cfg.train_dataset_path = in_here(train_cfg.train_dataset_path)
    vlm_cfg.vlm_checkpoint_path = in_here(vlm_cfg.vlm_checkpoint_path)
    if os.path.isdir(in_here(vlm_cfg.lm_tokenizer)):
        vlm_cfg.lm_tokenizer = in_here(vlm_cfg.lm_tokenizer)

    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        nanovlm_train.init_dist()
        nanovlm_train.PG_CPU = dist.new_group(backend="gloo")
    if nanovlm_train.is_master():
        print(f"nanoVLM Studio run: {HERE}")
    nanovlm_train.train(train_cfg, vlm_cfg)
    if nanovlm_train.is_dist():
        nanovlm_train.destroy_dist()


if __name__ == "__main__":
    main()
`;
}

export interface ReadmeFacts {
  runName: string;
  baseModel: string;
  dataset: string;
  processes: number;
  trainRows: number;
  valRows: number;
  valLeftOut: number;
  shardFiles: number;
  notMapped: string[];
}

export function handoffReadme(f: ReadmeFacts): string {
  const folder = '/path/to/this/folder';
  const p = f.processes;
  const perNode = p % 8 === 0 && p > 8 ? 8 : p;
  const nodes = p / perNode;
  const oneGpu =
    p === 1
      ? ['```sh', `cd nanoVLM && python ${folder}/${LAUNCHER_FILE}`, '```']
      : [
          `This folder is laid out for ${p} processes; for one GPU, export the run again with \`--processes 1\`, then:`,
          '```sh',
          `cd nanoVLM && python ${folder}/${LAUNCHER_FILE}`,
          '```',
        ];
  return [
    `# ${f.runName}: a nanoVLM Studio run for nanoVLM's own trainer`,
    '',
    `Base model: ${f.baseModel}. Dataset: ${f.dataset}: ${f.trainRows} training rows and ${f.valRows} val rows` +
      `${f.valLeftOut ? ` (${f.valLeftOut} val row(s) left out so that every process validates on as many)` : ''}.`,
    '',
    `Target: nanoVLM ${NANOVLM_REVISION.repository} on its \`${NANOVLM_REVISION.branch}\` branch, mapped against commit`,
    `\`${NANOVLM_REVISION.commit}\` (${NANOVLM_REVISION.date}). Check out that commit if a later one renamed a field.`,
    '',
    '## What is here',
    '',
    `- \`${HANDOFF_PATHS.dataset}/data/train-*.parquet\`: the dataset version in the_cauldron layout (\`images\`, \`texts\`), ${f.shardFiles} shard(s), one per process;`,
    '  each starts with its share of the val split (nanoVLM takes `val_size / processes` rows from the head of each',
    "  process's stream for validation), then its share of the training rows.",
    `- \`${HANDOFF_PATHS.checkpoints}/\`: the base checkpoint (\`config.json\`, \`model.safetensors\`) that \`VisionLanguageModel.from_pretrained\``,
    `  loads; nanoVLM writes its own checkpoints beside it, as \`${HANDOFF_PATHS.checkpoints}/<nanoVLM run name>/step_<N>/\`.`,
    `- \`${HANDOFF_PATHS.tokenizer}/\` (when the base model has its tokenizer files): the tokenizer, used instead of a Hub repo.`,
    "- `run.json`: `train_config` and `vlm_config` under the field names of nanoVLM's `TrainConfig` and `VLMConfig`.",
    `- \`${LAUNCHER_FILE}\`: sets those fields and calls nanoVLM's \`train()\` (train.py's flags cover only some of them).`,
    '',
    '## Run it',
    '',
    `Clone nanoVLM and install its requirements (PyTorch, transformers, datasets, …); run every command below from the nanoVLM`,
    `checkout. The data is laid out for exactly ${p} process(es) in total: use that many GPUs over all machines, or export again`,
    'with another `--processes`.',
    '',
    '**One GPU**',
    '',
    ...oneGpu,
    '',
    `**Several GPUs on one machine** (here ${p === 1 ? 'export with `--processes 8` for 8 GPUs' : `${p} GPUs`})`,
    '',
    '```sh',
    `torchrun --standalone --nnodes 1 --nproc_per_node ${p === 1 ? 8 : p} ${folder}/${LAUNCHER_FILE}`,
    '```',
    '',
    `**Several machines** (${nodes > 1 ? `${nodes} machines × ${perNode} GPUs` : 'for example 2 machines × 8 GPUs: export with `--processes 16`'}; the folder at the same path on each, \`--node_rank\` 0 on the first)`,
    '',
    '```sh',
    `torchrun --nnodes ${nodes > 1 ? nodes : 2} --nproc_per_node ${nodes > 1 ? perNode : 8} --node_rank <0..${(nodes > 1 ? nodes : 2) - 1}> \\`,
    `  --rdzv_backend c10d --rdzv_endpoint <first machine's address>:29500 --rdzv_id ${f.runName.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase() || 'nanovlm-run'} \\`,
    `  ${folder}/${LAUNCHER_FILE}`,
    '```',
    '',
    '## Bring the result back',
    '',
    `On the run's page in the studio, "Add nanoVLM checkpoint" and choose a \`${HANDOFF_PATHS.checkpoints}/<run name>/step_<N>\` folder: it becomes a`,
    "model of this run, scored on the same val split and ready to chat with beside the studio's own checkpoints.",
    '',
    '## What the studio could not map',
    '',
    ...f.notMapped.map((line) => `- ${line}`),
    '',
  ].join('\n');
}
