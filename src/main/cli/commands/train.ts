// `nanovlm train`: fine-tune (or train from scratch) a nanoVLM model on a VQA dataset with the
// studio's trainer, in this process, showing progress and metrics; writes nanoVLM checkpoints
// (resumable) and, optionally, the exact-match accuracy on a held-out JSONL.
import { appendFileSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { numberOption, requireString, UsageError, type CliCommand, type CliIO, type ParsedArgs } from '../command';
import { defaultDataFolder } from '../../data/data-folder';
import { defaultCacheDir } from '../../runtime/model-files';
import { resolveModel, TOKENIZER_FILES } from '../../hub/hub';
import { resolveTrainingDataset } from '../dataset-source';
import { evaluateCheckpoint } from '../../eval/checkpoint-eval';
import { ProgressPrinter } from '../progress-printer';
import { formatDuration } from '../progress-format';
import { runTraining } from '../../training/process/training-run';
import { DEFAULT_OPTIMIZER, TRAINING_ENGINES, type TrainerMessage, type TrainingEngineName, type TrainingRunConfig } from '../../../shared/training';
import { batchSettingsFrom, learningRatesFrom, maxStepsFrom, RUN_OPTIONS, RUN_OPTIONS_USAGE, scheduleFrom, wholePositive } from '../run-options';

const ENGINES: readonly TrainingEngineName[] = TRAINING_ENGINES;

function engineFrom(args: ParsedArgs): TrainingEngineName | undefined {
  const engine = args.values.engine as TrainingEngineName | undefined;
  if (engine !== undefined && !ENGINES.includes(engine)) throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}`);
  return engine;
}

const defaultRunDir = (): string => resolve('nanovlm-runs', new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-'));

function copyTokenizer(from: string, to: string): void {
  for (const file of TOKENIZER_FILES) if (existsSync(join(from, file)) && !existsSync(join(to, file))) copyFileSync(join(from, file), join(to, file));
}

async function reportEvaluation(checkpointDir: string, evalPath: string, io: CliIO): Promise<void> {
  const report = await evaluateCheckpoint(checkpointDir, evalPath);
  const parts = report.byType.map((t) => `${t.type} ${(100 * t.accuracy).toFixed(1)}%`);
  io.out(`exact match on ${evalPath}: ${(100 * report.accuracy).toFixed(1)}% of ${report.total}${parts.length > 1 ? ` (${parts.join(', ')})` : ''}\n`);
}

export const command: CliCommand = {
  name: 'train',
  summary: 'train a nanoVLM model on a dataset (name, JSONL or Parquet), writing checkpoints',
  usage: [
    'Usage: nanovlm train --dataset <name|file.jsonl|file.parquet> --model <repo id|folder> [options]',
    '',
    '  --dataset REF          a dataset of the studio (its training split, frozen as a version), a JSONL',
    '                         ({"images": [...], "texts": [{"user", "assistant"}]}; rows with a "split"',
    '                         other than train are left out) or a Parquet file (the_cauldron layout)',
    '  --model REF            base checkpoint: Hub repo id or folder (init-model makes a fresh one)',
    ...RUN_OPTIONS_USAGE,
    '  --out DIR              run folder (default ./nanovlm-runs/<date-time>)',
    `  --engine NAME          ${ENGINES.join(' | ')} (default: the best available)`,
    '  --eval FILE.jsonl      after training, exact match of greedy answers on this JSONL',
    '  --log-every N          without a terminal, print progress every N steps (default 10)',
    '  --resume DIR           continue from a checkpoint written by a run',
  ].join('\n'),
  options: {
    dataset: { type: 'string' },
    model: { type: 'string' },
    ...RUN_OPTIONS,
    out: { type: 'string' },
    engine: { type: 'string' },
    eval: { type: 'string' },
    'log-every': { type: 'string' },
    resume: { type: 'string' },
  },
  async run(args, io) {
    const datasetRef = requireString(args, 'dataset');
    const modelRef = requireString(args, 'model');
    const learningRates = learningRatesFrom(args);
    const engine = engineFrom(args);
    const { batchSize, gradientAccumulationSteps, checkpointEvery, seed } = batchSettingsFrom(args);
    const evalPath = args.values.eval as string | undefined;
    if (evalPath !== undefined && !existsSync(evalPath)) throw new UsageError(`--eval: ${evalPath} not found`);
    const outputDir = resolve((args.values.out as string | undefined) ?? defaultRunDir());
    mkdirSync(outputDir, { recursive: true });

    const model = await resolveModel(modelRef, { signal: io.signal });
    const dataset = await resolveTrainingDataset(datasetRef, defaultDataFolder(), join(outputDir, 'dataset'));
    io.err(`model: ${model.folder}\ndataset: ${dataset.description}\n`);
    const config: TrainingRunConfig = {
      baseModelDir: model.folder,
      tokenizerDir: model.tokenizerFolder,
      datasetPath: dataset.path,
      outputDir,
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates },
      maxSteps: maxStepsFrom(args, dataset.rows, batchSize * gradientAccumulationSteps),
      ...scheduleFrom(args),
      batchSize,
      gradientAccumulationSteps,
      seed,
      checkpointEvery,
      ...(args.values.resume ? { resumeFrom: resolve(args.values.resume as string) } : {}),
      ...(engine ? { engine } : {}),
      cacheDir: defaultCacheDir(),
    };
    const printer = new ProgressPrinter({
      write: io.err,
      inPlace: Boolean(process.stderr.isTTY),
      logEvery: numberOption(args, 'log-every', wholePositive) ?? 10,
    });
    let finishedDir: string | undefined;
    const metricsLog = join(outputDir, 'metrics.jsonl');
    const started = performance.now();
    await runTraining(
      config,
      (message: TrainerMessage) => {
        if (message.type === 'metrics') appendFileSync(metricsLog, `${JSON.stringify({ ...message, seconds: (performance.now() - started) / 1000 })}\n`);
        if (message.type === 'finished') finishedDir = message.checkpointDir;
        printer.handle(message);
      },
      io.signal,
    );
    if (!finishedDir || finishedDir === model.folder) {
      io.out('stopped before the first optimiser step: no checkpoint written\n');
      return io.signal.aborted ? 130 : 1;
    }
    copyTokenizer(model.tokenizerFolder, finishedDir);
    io.out(
      `trained ${printer.last?.step ?? 0} steps in ${formatDuration((performance.now() - started) / 1000)}; final loss ${printer.last?.loss.toFixed(4) ?? '?'}; checkpoint ${finishedDir}\n`,
    );
    if (evalPath !== undefined && !io.signal.aborted) await reportEvaluation(finishedDir, evalPath, io);
    return io.signal.aborted ? 130 : 0;
  },
};
