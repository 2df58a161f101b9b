// `nanovlm eval`: answer accuracy of a model on held-out samples (a studio dataset by name, or a
// JSONL, CSV or Parquet file), exact match after normalising case, spaces and punctuation.
import { existsSync } from 'node:fs';
import { splitSchema, type SampleSplit } from '../../../shared/datasets';
import { defaultDataFolder } from '../../data/data-folder';
import { DatasetStore } from '../../data/dataset-store';
import { evaluateAnswers, type EvalSample } from '../../eval/evaluate';
import { fileEvalSamples, versionEvalSamples } from '../../eval/eval-samples';
import { numberOption, requireString, UsageError, type CliCommand, type CliIO } from '../command';
import { loadCliModel, MODEL_OPTIONS, MODEL_OPTIONS_USAGE } from '../load-model';

export const command: CliCommand = {
  name: 'eval',
  summary: "measure a model's answer accuracy on a dataset's held-out split",
  usage: [
    'Usage: nanovlm eval --model <repo id|folder> --dataset <name|JSONL|CSV|Parquet> [--split val] [--json]',
    '',
    '  --dataset D              a dataset of the studio data folder by name, or a file',
    '  --split S                train | val | test (default val); a file without split fields is used whole',
    '  --limit N                evaluate the first N samples only',
    '  --max-new-tokens N       longest answer generated (default 32)',
    '  --json                   print {"accuracy": …, "n": …} only',
    '  --predictions            also print every prediction (with --json: in the object)',
    ...MODEL_OPTIONS_USAGE,
  ].join('\n'),
  options: {
    ...MODEL_OPTIONS,
    dataset: { type: 'string' },
    split: { type: 'string' },
    limit: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    json: { type: 'boolean' },
    predictions: { type: 'boolean' },
  },
  async run(args, io) {
    const parsedSplit = splitSchema.safeParse(args.values.split ?? 'val');
    if (!parsedSplit.success) throw new UsageError(`--split must be train, val or test, got "${String(args.values.split)}"`);
    const limit = numberOption(args, 'limit', (n) => Number.isInteger(n) && n > 0);
    const samples = (await heldOutSamples(requireString(args, 'dataset'), parsedSplit.data, io)).slice(0, limit);
    if (samples.length === 0) throw new Error(`no answered samples in the ${parsedSplit.data} split to evaluate`);
    const { engine, tokenizer } = await loadCliModel(args, io);
    try {
      const progress = (done: number, total: number) => !args.values.json && io.err(`\r${done}/${total} samples`);
      const result = await evaluateAnswers(engine, tokenizer, samples, {
        maxNewTokens: numberOption(args, 'max-new-tokens', (n) => Number.isInteger(n) && n > 0) ?? 32,
        signal: io.signal,
        onProgress: progress,
      });
      if (args.values.json) {
        io.out(`${JSON.stringify({ accuracy: result.accuracy, n: result.n, ...(args.values.predictions ? { predictions: result.predictions } : {}) })}\n`);
        return 0;
      }
      io.err('\n');
      if (args.values.predictions) {
        for (const p of result.predictions)
          io.out(
            `${p.correct ? '✓' : '✗'} ${p.sampleId} | ${p.question} | expected: ${p.expected} | predicted: ${p.predicted}${p.error ? ` (${p.error})` : ''}\n`,
          );
      }
      io.out(`accuracy ${(result.accuracy * 100).toFixed(1)}% (${result.predictions.filter((p) => p.correct).length} of ${result.n} questions)\n`);
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};

async function heldOutSamples(dataset: string, split: SampleSplit, io: CliIO): Promise<EvalSample[]> {
  if (existsSync(dataset)) {
    const file = await fileEvalSamples(dataset, split);
    if (file.splitIgnored) io.err(`${dataset}: no row names a split; evaluating every answered row\n`);
    for (const s of file.skipped) io.err(`skipped ${s.where}: ${s.reason}\n`);
    return file.samples;
  }
  const store = DatasetStore.open(defaultDataFolder());
  try {
    const found = store.listDatasets().find((d) => d.name === dataset);
    if (!found) throw new Error(`no file and no dataset named "${dataset}" in ${defaultDataFolder()}`);
    const version = store.createVersion(found.id, { note: 'taken by nanovlm eval' });
    return versionEvalSamples(store, version.id, split);
  } finally {
    store.close();
  }
}
