// npm run train:demo — makes the bundled demo model from nothing, on the CPU, with the `nanovlm`
// commands a person would type: generate the shapes data, initialise a small nanoVLM (split
// family, byte-level tokenizer), train it from scratch with the fastest engine, then measure exact
// match of greedy answers on a FRESH generated set (another seed) through the ONNX graphs the
// studio chats with. Writes resources/demo-model/ (checkpoint, tokenizer, README with the
// figures) and resources/demo-data/ (a few shapes and photos).
//
//   tsx scripts/train-demo.ts [--steps N] [--count N] [--fresh N] [--engine NAME] [--work DIR] [--no-resources]
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { main } from '../src/main/cli/index';
import { evaluateCheckpoint } from '../src/main/eval/checkpoint-eval';
import { readTaggedRecords, type ExactMatchReport } from '../src/main/eval/exact-match-eval';
import { formatDuration } from '../src/main/cli/progress-format';
import { majorityBaselines, type MajorityBaseline } from '../src/main/demo/shapes/majority-baseline';
import { writeDemoData } from '../src/main/demo/demo-data';
import { demoReadme, type DemoFigures } from '../src/main/demo/demo-readme';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '1200' },
    count: { type: 'string', default: '12000' },
    fresh: { type: 'string', default: '800' },
    'batch-size': { type: 'string', default: '16' },
    engine: { type: 'string', default: 'onnxruntime' },
    work: { type: 'string', default: join(ROOT, '.cache', 'train-demo') },
    resources: { type: 'boolean', default: true },
    'no-resources': { type: 'boolean', default: false },
  },
});
const steps = Number(values.steps);
const work = resolve(values.work!);
const paths = {
  data: join(work, 'data'),
  fresh: join(work, 'fresh'),
  init: join(work, 'init'),
  run: join(work, 'run'),
  model: join(ROOT, 'resources', 'demo-model'),
  demoData: join(ROOT, 'resources', 'demo-data'),
};
const DATA_SEED = 1;
const FRESH_SEED = 20250;
const MODEL_SEED = 0;

async function nanovlm(...argv: string[]): Promise<void> {
  console.log(`\n$ nanovlm ${argv.join(' ')}`);
  const code = await main(argv);
  if (code !== 0) throw new Error(`nanovlm ${argv[0]} failed (exit code ${code})`);
}

function percent(r: { accuracy: number }): string {
  return `${(100 * r.accuracy).toFixed(1)}%`;
}

function reportLine(name: string, report: ExactMatchReport, baselines: MajorityBaseline[]): string {
  const types = report.byType.map((t) => {
    const chance = baselines.find((b) => b.type === t.type);
    return `${t.type} ${percent(t)} (chance ${chance ? percent(chance) : '?'})`;
  });
  return `${name}: ${percent(report)} of ${report.total} — ${types.join(', ')}`;
}

function copyModel(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
    copyFileSync(join(from, file), join(to, file));
  }
}

function trainingCurve(): { step: number; loss: number; seconds: number }[] {
  const lines = readFileSync(join(paths.run, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return lines.map((l) => JSON.parse(l) as { step: number; loss: number; seconds: number });
}

async function run(): Promise<void> {
  const started = performance.now();
  rmSync(work, { recursive: true, force: true });
  await nanovlm('make-shapes', '--out', paths.data, '--count', values.count!, '--seed', String(DATA_SEED));
  await nanovlm('make-shapes', '--out', paths.fresh, '--count', values.fresh!, '--seed', String(FRESH_SEED), '--val-fraction', '0');
  await nanovlm('init-model', '--out', paths.init, '--seed', String(MODEL_SEED));
  const trainStarted = performance.now();
  await nanovlm(
    'train',
    '--dataset',
    join(paths.data, 'train.jsonl'),
    '--model',
    paths.init,
    '--preset',
    'scratch',
    '--batch-size',
    values['batch-size']!,
    '--max-steps',
    String(steps),
    '--checkpoint-every',
    String(steps),
    '--out',
    paths.run,
    '--engine',
    values.engine!,
    '--log-every',
    '50',
  );
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const machine = { cpu: cpus()[0]?.model.trim() ?? 'unknown CPU', cores: cpus().length, loadAverage: loadavg()[0]! };
  const checkpoint = join(paths.run, `step_${steps}`);

  const fresh = readTaggedRecords(join(paths.fresh, 'train.jsonl'));
  const baselines = majorityBaselines(fresh.map((f) => ({ type: f.type, answer: f.record.texts[0]!.assistant! })));
  const greedy = await evaluateCheckpoint(checkpoint, join(paths.fresh, 'train.jsonl'), { method: 'greedy' });
  const forced = await evaluateCheckpoint(checkpoint, join(paths.fresh, 'train.jsonl'), { method: 'teacher-forced' });
  const val = await evaluateCheckpoint(checkpoint, join(paths.data, 'val.jsonl'), { method: 'greedy', limit: 400 });
  console.log(`\n${reportLine('fresh set, greedy', greedy, baselines)}`);
  console.log(reportLine('fresh set, teacher-forced', forced, baselines));
  console.log(reportLine('validation split, greedy', val, baselines));

  const figures: DemoFigures = {
    steps,
    batchSize: Number(values['batch-size']),
    datasetCount: Number(values.count),
    trainRows: readTaggedRecords(join(paths.data, 'train.jsonl')).length,
    trainSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    fresh: greedy,
    freshTeacherForced: forced,
    val,
    baselines,
    curve: trainingCurve(),
    engine: values.engine!,
    config: JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8')) as Record<string, unknown>,
    seeds: { data: DATA_SEED, fresh: FRESH_SEED, model: MODEL_SEED },
    machine,
  };
  writeFileSync(join(work, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  if (values.resources && !values['no-resources']) {
    copyModel(checkpoint, paths.model);
    writeFileSync(join(paths.model, 'README.md'), demoReadme(figures));
    await writeDemoData(paths.demoData, join(ROOT, 'test', 'fixtures', 'photos'));
    console.log(`\nwrote ${paths.model} and ${paths.demoData}`);
  }
  console.log(`training ${formatDuration(trainSeconds)}, everything ${formatDuration(figures.totalSeconds)}`);
  if (greedy.accuracy < 0.95) {
    console.error(`exact match ${percent(greedy)} is below the 95% the demo model must reach`);
    process.exitCode = 1;
  }
}

if (!existsSync(join(ROOT, 'package.json'))) throw new Error(`${ROOT} is not the repository root`);
await run();
