// The GPU check itself (bench/check-gpu.ts is its command): the providers to check, parity and the
// bench rows on each, the report. Also the entry of the packed check (pack.ts), which has no npm.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Family } from '../../src/main/model/config';
import { adapterLabel, detectInferenceProviders, type InferenceProvider } from '../../src/main/runtime/providers';
import { FAMILIES } from '../../test/helpers/golden-fixtures';
import { FIXTURES_DIR } from '../../test/helpers/fixture-paths';
import { inferenceParity, trainingParity, VARIANTS, type Check, type Variant } from './parity';
import { chatRow, trainRow, type ChatRow, type TrainRow } from './speed';
import { BENCH_SIZES, type BenchSize } from '../training-step';

type GpuProvider = Exclude<InferenceProvider, 'cpu'>;

interface ProviderReport {
  provider: GpuProvider;
  device: string;
  software: boolean;
  parity: Check[];
  rows: (ChatRow | TrainRow)[];
  /** what stopped this provider's checks (a lost device, out of memory), if anything did */
  error?: string;
  seconds: number;
}

interface Options {
  software: boolean;
  providers?: GpuProvider[];
  families: Family[];
  variants: Variant[];
  size?: BenchSize;
  parityOnly: boolean;
  json: boolean;
  fixtures: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      software: { type: 'boolean', default: false },
      providers: { type: 'string' },
      families: { type: 'string' },
      variants: { type: 'string' },
      size: { type: 'string' },
      'parity-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      fixtures: { type: 'string' },
    },
  });
  const listOf = <T extends string>(value: string | undefined, allowed: readonly T[], option: string): T[] | undefined => {
    if (value === undefined) return undefined;
    const items = value.split(',').filter(Boolean);
    for (const item of items) if (!allowed.includes(item as T)) throw new Error(`${option}: "${item}" is not one of ${allowed.join(', ')}`);
    return items as T[];
  };
  return {
    software: values.software!,
    providers: listOf(values.providers, ['cuda', 'webgpu'] as const, '--providers'),
    families: listOf(values.families, FAMILIES, '--families') ?? FAMILIES,
    variants: listOf(values.variants, Object.keys(VARIANTS) as Variant[], '--variants') ?? (Object.keys(VARIANTS) as Variant[]),
    size: listOf(values.size, Object.keys(BENCH_SIZES) as BenchSize[], '--size')?.[0],
    parityOnly: values['parity-only']!,
    json: values.json!,
    fixtures: values.fixtures ?? FIXTURES_DIR,
  };
}

/** The GPU providers to check, with their device, and a line for each one passed over. */
function gpuProviders(options: Options): { run: { provider: GpuProvider; device: string; software: boolean }[]; passedOver: string[] } {
  const detection = detectInferenceProviders();
  const run: { provider: GpuProvider; device: string; software: boolean }[] = [];
  const passedOver: string[] = [];
  for (const candidate of detection.candidates) {
    if (candidate.name === 'cpu' || (options.providers && !options.providers.includes(candidate.name))) continue;
    const adapter = candidate.name === 'webgpu' ? detection.webgpuAdapter : undefined;
    if (!candidate.available) passedOver.push(`${candidate.name}: ${candidate.detail}`);
    else if (adapter?.software && !options.software) passedOver.push(`${candidate.name}: ${adapterLabel(adapter)} (pass --software to run on it)`);
    else run.push({ provider: candidate.name, device: adapter ? adapterLabel(adapter) : candidate.detail, software: Boolean(adapter?.software) });
  }
  return { run, passedOver };
}

async function checkProvider(
  target: { provider: GpuProvider; device: string; software: boolean },
  options: Options,
  say: (line: string) => void,
): Promise<ProviderReport> {
  const started = performance.now();
  const report: ProviderReport = { ...target, parity: [], rows: [], seconds: 0 };
  const note = (checks: Check[]) => {
    for (const c of checks) say(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.value.toExponential(2)} (limit ${c.limit})`);
    report.parity.push(...checks);
  };
  try {
    for (const family of options.families) {
      note(await inferenceParity(options.fixtures, family, target.provider, options.variants));
      note(await trainingParity(options.fixtures, family, target.provider));
    }
    if (!options.parityOnly) {
      const size = options.size ?? (target.software ? 'small' : '222m');
      say(`  bench rows at ${size === '222m' ? "nanoVLM-222M's dimensions" : 'the small size'}, ${target.provider} then cpu…`);
      for (const quant of ['none', 'int4'] as const) {
        for (const provider of [target.provider, 'cpu'] as const) report.rows.push(await chatRow(provider, quant, size));
      }
      for (const [batch, vision] of [
        [1, 'frozen'],
        [4, 'trained'],
      ] as const) {
        for (const provider of [target.provider, 'cpu'] as const) report.rows.push(await trainRow(provider, batch, vision, size));
      }
    }
  } catch (err) {
    // a lost device or an allocation the GPU refused ends this provider's checks, not the others'
    report.error = err instanceof Error ? err.message : String(err);
    say(`  stopped: ${report.error}`);
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

function printRows(report: ProviderReport, say: (line: string) => void): void {
  const pairs = (kind: string) => report.rows.filter((r) => r.kind === kind);
  for (const [gpu, cpu] of chunk(pairs('chat') as ChatRow[])) {
    say(
      `  chat ${gpu.quant === 'none' ? 'fp32' : gpu.quant}: TTFT ${gpu.ttft_ms.toFixed(0)} ms (cpu ${cpu.ttft_ms.toFixed(0)}, ${times(cpu.ttft_ms / gpu.ttft_ms)}), ` +
        `decode ${gpu.decode_tok_s.toFixed(1)} tok/s (cpu ${cpu.decode_tok_s.toFixed(1)}, ${times(gpu.decode_tok_s / cpu.decode_tok_s)})`,
    );
  }
  for (const [gpu, cpu] of chunk(pairs('train') as TrainRow[])) {
    say(
      `  train batch ${gpu.batch}, vision ${gpu.vision}: ${gpu.samples_per_s.toFixed(2)} samples/s (cpu ${cpu.samples_per_s.toFixed(2)}, ` +
        `${times(gpu.samples_per_s / cpu.samples_per_s)}), ${gpu.gflop_s.toFixed(0)} GFLOP/s = ${((100 * gpu.gflop_s) / gpu.matmul_gflop_s).toFixed(0)}% of a plain MatMul there`,
    );
  }
}

/** A ratio to the CPU provider's figure: two significant digits (a software adapter is far below 0.1×). */
const times = (ratio: number): string => `${ratio >= 10 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`;

const chunk = <T>(rows: T[]): [T, T][] => rows.flatMap((r, i) => (i % 2 === 0 && rows[i + 1] ? [[r, rows[i + 1]!] as [T, T]] : []));

/** The whole check with these command-line arguments; resolves to the exit status. */
export async function runGpuCheck(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const say = options.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
  const started = performance.now();
  say(`${cpus()[0]?.model.trim()}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; fixtures: ${options.fixtures}`);
  const { run, passedOver } = gpuProviders(options);
  for (const line of passedOver) say(`passed over ${line}`);
  if (run.length === 0) {
    say('no GPU provider to check on this machine');
    if (options.json) console.log(JSON.stringify({ ok: false, providers: [], passed_over: passedOver }));
    return 2;
  }
  const reports: ProviderReport[] = [];
  for (const target of run) {
    say(`${target.provider} on ${target.device}:`);
    const report = await checkProvider(target, options, say);
    printRows(report, say);
    say(`  ${report.parity.filter((c) => c.ok).length} of ${report.parity.length} parity checks met in ${report.seconds.toFixed(0)} s`);
    reports.push(report);
  }
  const ok = reports.every((r) => !r.error && r.parity.every((c) => c.ok));
  const seconds = (performance.now() - started) / 1000;
  say(`${ok ? 'GPU check passed' : 'GPU check FAILED'} in ${seconds.toFixed(0)} s`);
  if (options.json) console.log(JSON.stringify({ ok, seconds, cpu: cpus()[0]?.model.trim(), providers: reports, passed_over: passedOver }));
  return ok ? 0 : 1;
}
