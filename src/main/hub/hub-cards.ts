// The README.md cards that go with an upload: a model card (what the model is, the base model, the
// dataset version it was trained on, the run's settings and its val accuracy) and a dataset card
// (the_cauldron layout, splits and counts, the `configs` block the Hub's viewer and `datasets` read).
import type { LearningRates } from '../../shared/training';

export interface ModelCardFacts {
  repo: string;
  name: string;
  family: string;
  parameters: number;
  /** a Hub repo id or a description of the base checkpoint */
  baseModel?: string;
  baseIsHubRepo?: boolean;
  dataset?: { name: string; versionId: number; contentHash: string; train: number; val: number; hubRepo?: string };
  training?: {
    preset: string;
    learningRates: LearningRates;
    batchSize: number;
    gradientAccumulationSteps: number;
    maxSteps: number;
    step: number;
    maxGradNorm: number | null;
    trainedBy: string;
  };
  valAccuracy?: { accuracy: number; questions: number };
}

const yamlList = (key: string, values: string[]) => (values.length ? [`${key}:`, ...values.map((v) => `  - ${JSON.stringify(v)}`)] : []);

export function modelCard(f: ModelCardFacts): string {
  const t = f.training;
  return [
    '---',
    'library_name: nanovlm',
    'pipeline_tag: image-text-to-text',
    ...yamlList('tags', ['vision-language', 'nanovlm', 'nanovlm-studio']),
    ...(f.baseModel && f.baseIsHubRepo ? [`base_model: ${JSON.stringify(f.baseModel)}`] : []),
    ...yamlList('datasets', f.dataset?.hubRepo ? [f.dataset.hubRepo] : []),
    '---',
    '',
    `# ${f.name}`,
    '',
    `A vision-language model of the [nanoVLM](https://github.com/huggingface/nanoVLM) architecture (${f.family} family, ${f.parameters.toLocaleString('en-US')} parameters),`,
    'made with nanoVLM Studio. `config.json` and `model.safetensors` are in nanoVLM\'s own format: `VisionLanguageModel.from_pretrained("' +
      f.repo +
      '")` loads it.',
    '',
    '## Training',
    '',
    `- Base model: ${f.baseModel ?? 'not recorded'}`,
    ...(f.dataset
      ? [
          `- Dataset: ${f.dataset.hubRepo ? `[${f.dataset.name}](https://huggingface.co/datasets/${f.dataset.hubRepo})` : f.dataset.name}, version ${f.dataset.versionId} (content hash \`${f.dataset.contentHash.slice(0, 12)}\`): ${f.dataset.train} training and ${f.dataset.val} val samples`,
        ]
      : ['- Dataset: not recorded']),
    ...(t
      ? [
          `- Trained by: ${t.trainedBy}, ${t.step} of ${t.maxSteps} optimiser steps`,
          `- Learning rates: projector ${t.learningRates.mp}, vision encoder ${t.learningRates.vision}, language decoder ${t.learningRates.language} (preset ${t.preset}; 0 = frozen)`,
          `- Batch: ${t.batchSize} samples × ${t.gradientAccumulationSteps} accumulation steps; AdamW, 3% warmup then cosine to 10%; gradient clipping ${t.maxGradNorm ?? 'off'}`,
        ]
      : []),
    '',
    '## Evaluation',
    '',
    f.valAccuracy
      ? `Exact match of greedy answers on the dataset version's val split: **${(100 * f.valAccuracy.accuracy).toFixed(1)}%** of ${f.valAccuracy.questions} questions.`
      : 'Not evaluated on a held-out split.',
    '',
  ].join('\n');
}

export interface DatasetCardFacts {
  repo: string;
  name: string;
  description: string;
  versionId: number;
  contentHash: string;
  /** split name as the Hub names it (train, validation, test) → rows */
  splits: Record<string, number>;
}

export function datasetCard(f: DatasetCardFacts): string {
  const splits = Object.entries(f.splits).filter(([, n]) => n > 0);
  return [
    '---',
    'configs:',
    '  - config_name: default',
    '    data_files:',
    ...splits.flatMap(([split]) => [`      - split: ${split}`, `        path: data/${split}-*`]),
    ...yamlList('task_categories', ['visual-question-answering']),
    ...yamlList('tags', ['nanovlm-studio', 'the_cauldron']),
    '---',
    '',
    `# ${f.name}`,
    '',
    ...(f.description ? [f.description, ''] : []),
    `Version ${f.versionId} of this dataset in nanoVLM Studio (content hash \`${f.contentHash.slice(0, 12)}\`): ${splits.map(([s, n]) => `${n} ${s}`).join(', ')} samples.`,
    '',
    'Rows follow the_cauldron layout: `images` (a list of images) and `texts` (a list of `{user, assistant}` turns), one',
    "Parquet file per split under `data/`. nanoVLM's `train.py` reads it with `--train_dataset_path " + f.repo + '`;',
    `\`datasets.load_dataset("${f.repo}")\` loads it with the images decoded.`,
    '',
  ].join('\n');
}
