// Inference benchmark: random weights with the real dimensions of nanoVLM-222M (prefix family,
// SigLIP-B/16-224 + SmolLM2-135M, 49 image tokens) and nanoVLM-230M-8k (split family, 512-pixel
// tiles, 64 tokens per tile), one row per export variant:
//   plain-fp32 (standard ops) | fp32 | int8 | int4 (fused contrib ops, MatMulNBits)
// export_s: building the export; load_ms: creating the sessions; ttft_ms: image file → first token
// with a 64-token prompt (median of 3 after a warm-up), nothing cached; ttft_after_enter_ms: the
// photo attached (prefill on attach starts) 1 s before a 12-token question, then the question's
// image file → first token (median of 3); decode_tok_s: 128 greedy tokens; bandwidth_share: decoder
// weights bytes per token × decode_tok_s ÷ the memory-copy bandwidth measured right after the
// decode in the same process (memory-bandwidth.ts); peak_rss_mb: the runtime process's peak
// resident memory; loop_max_ms: the longest the process's event loop waited while the cold
// first tokens were computed. Rows run as the studio runs a CPU model: on the inference thread
// (threaded-model.ts), the event loop free; --same-thread runs the sessions on the bench's own
// thread, as the CLI does (loop_max_ms then shows how long one run holds the loop). Every
// measurement runs in its own child process so that memory and caches do not leak between rows.
//
//   npm run bench:inference [-- --json] [-- --models 222m,230m-8k] [-- --rows plain-fp32,fp32,int8,int4] [-- --same-thread]
//                           [-- --provider cpu|cuda|webgpu]
// The provider's device is printed beside the figures ("… — software adapter" on lavapipe, which
// runs on the CPU: slowly).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extraTokenId, parseConfig, type ModelSpec } from '../src/main/model/config';
import { imagesBeforeText } from '../src/main/model/family';
import { imageSettingsFor, processImage } from '../src/main/model/image-processor';
import { exportOnnx } from '../src/main/onnx/export';
import type { ExportOptions } from '../src/main/onnx/export-options';
import { generate } from '../src/main/runtime/generate';
import { prefill } from '../src/main/runtime/prefill';
import { imageRowKeys } from '../src/main/runtime/prompt-cache';
import { measureCopyBandwidth } from './memory-bandwidth';
import { useInferenceThread } from '../src/main/runtime/threaded-model';
import { randomWeights } from './random-weights';
import { VlmEngine } from '../src/main/runtime/vlm-engine';
import { parseProvider, resolveProvider, type InferenceProvider } from '../src/main/runtime/providers';

/** The names the JSON output gives the models (the Hub checkpoints whose dimensions they have). */
const MODEL_NAMES: Record<string, string> = { '222m': 'nanoVLM-222M', '230m-8k': 'nanoVLM-230M-8k' };
const MODELS: Record<string, () => ModelSpec> = {
  '222m': () => parseConfig({}), // prefix-family defaults are nanoVLM-222M's
  '230m-8k': () => parseConfig({ max_img_size: 2048 }), // split-family defaults are nanoVLM-230M-8k's
};
const ROWS: Record<string, Pick<ExportOptions, 'graph' | 'quant'>> = {
  'plain-fp32': { graph: 'plain', quant: 'none' },
  fp32: { graph: 'fused', quant: 'none' },
  int8: { graph: 'fused', quant: 'int8' },
  int4: { graph: 'fused', quant: 'int4' },
};
const IMAGE = process.env.NANOVLM_BENCH_IMAGE ?? join(import.meta.dirname, '..', 'test', 'fixtures', 'photos', 'astronaut.png'); // 512×512: one tile for 230M-8k
const PROMPT_TOKENS = 64;
const DECODE_TOKENS = 128;
/** prefill on attach: the template text before the question, the question, and the typing time */
const TEMPLATE_TOKENS = 8;
const QUESTION_TOKENS = 12;
const TYPING_MS = 1000;

interface RowResult {
  model: string;
  row: string;
  /** 1-minute load average when the row started: other work on the machine skews the figures */
  load_avg: number;
  export_s: number;
  load_ms: number;
  ttft_ms: number;
  ttft_after_enter_ms: number;
  decode_tok_s: number;
  /** decoder weights bytes per token × decode_tok_s ÷ measured memory-copy bandwidth */
  bandwidth_share: number;
  peak_rss_mb: number;
  /** the longest event-loop delay while the cold first tokens were computed */
  loop_max_ms: number;
  /** what bandwidth_share is made of (listed under host in --json) */
  weights_mb: number;
  bandwidth_gb_s: number;
}

/** Child: export one variant into `dir`, print the seconds it took. */
function childExport(model: string, row: string, dir: string): void {
  const started = performance.now();
  exportOnnx(randomWeights(MODELS[model]!()), dir, { ...ROWS[row]!, allLogits: false });
  process.stdout.write(JSON.stringify({ export_s: (performance.now() - started) / 1000 }));
}

/** Child: load the export, time the first token from the image file (cold, then after a prefill on attach), then decoding. */
async function childRun(dir: string, provider: InferenceProvider, sameThread: boolean): Promise<void> {
  const releaseThread = sameThread ? undefined : useInferenceThread();
  const loadStart = performance.now();
  const engine = await VlmEngine.load(dir, { provider });
  const load_ms = performance.now() - loadStart;
  const spec = { family: engine.family, config: engine.config };
  const text = (n: number, from = 0) => Array.from({ length: n }, (_, i) => 32 + (((from + i) * 7) % 90));
  const photo = async () => {
    const image = await processImage(IMAGE, imageSettingsFor(spec));
    return { image, rowKeys: imageRowKeys(`bench-${Math.random()}`, image.tileCount * spec.config.mp_image_token_length) };
  };

  const firstToken = async (): Promise<number> => {
    const started = performance.now();
    const { image } = await photo();
    const placeholders = imagePlaceholders(spec, image.tileCount);
    const result = await generate(
      engine,
      { inputIds: [...placeholders, ...text(PROMPT_TOKENS)], pixels: image.pixels, tiles: image.tileCount },
      { greedy: true, maxNewTokens: 1, stopTokenIds: [], startedAt: started },
    );
    return result.ttftMs;
  };
  await firstToken(); // warm-up: first-run allocations and kernel selection
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const ttfts = [await firstToken(), await firstToken(), await firstToken()].sort((a, b) => a - b);
  loop.disable();

  // the photo is attached (its prefill starts), the question follows TYPING_MS later; the question's
  // request processes the image file again, as chat does
  const afterEnter = async (): Promise<number> => {
    engine.promptCache.clear();
    const attached = await photo();
    const known = [...imagePlaceholders(spec, attached.image.tileCount), ...text(TEMPLATE_TOKENS)];
    const request = { pixels: attached.image.pixels, tiles: attached.image.tileCount, imageRowKeys: attached.rowKeys };
    const prefilled = engine.backgroundPrefill.start((signal, describe) =>
      prefill(engine, { ...request, inputIds: known }, signal, describe).then(() => undefined),
    );
    await sleep(TYPING_MS);
    const started = performance.now();
    const { image } = await photo();
    const result = await generate(
      engine,
      { ...request, pixels: image.pixels, inputIds: [...known, ...text(QUESTION_TOKENS, 100)] },
      { greedy: true, maxNewTokens: 1, stopTokenIds: [], startedAt: started },
    );
    const knownPositions = known.length + (imagesBeforeText(spec.family) ? attached.rowKeys.length : 0);
    if ((await prefilled) !== 'done' || result.reusedPositions !== knownPositions)
      throw new Error(`prefill on attach did not serve the question (${result.reusedPositions} of ${knownPositions} positions reused)`);
    return result.ttftMs;
  };
  const afterEnterTtfts = [await afterEnter(), await afterEnter(), await afterEnter()].sort((a, b) => a - b);

  const { image } = await photo();
  const decode = await generate(
    engine,
    { inputIds: [...imagePlaceholders(spec, image.tileCount), ...text(PROMPT_TOKENS)], pixels: image.pixels, tiles: image.tileCount },
    { greedy: true, maxNewTokens: DECODE_TOKENS, stopTokenIds: [] },
  );
  await engine.dispose();
  await releaseThread?.();
  const bandwidth = await measureCopyBandwidth(availableParallelism());
  const weightBytes = statSync(join(dir, `${engine.manifest.files.decoder}.data`)).size;
  process.stdout.write(
    JSON.stringify({
      load_ms,
      ttft_ms: ttfts[1],
      ttft_after_enter_ms: afterEnterTtfts[1],
      decode_tok_s: decode.decodeTokensPerSecond,
      bandwidth_share: (weightBytes * decode.decodeTokensPerSecond) / bandwidth,
      weights_mb: weightBytes / 1e6,
      bandwidth_gb_s: bandwidth / 1e9,
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      loop_max_ms: loop.max / 1e6,
    }),
  );
}

/** Split family: <|global_image|> + <|image|>×L for a one-tile image (the benchmark photo). */
function imagePlaceholders(spec: ModelSpec, tiles: number): number[] {
  if (spec.family === 'prefix') return [];
  const image = extraTokenId(spec.config, 'image_token');
  const block = new Array<number>(spec.config.mp_image_token_length).fill(image);
  if (spec.family === 'inline') return block;
  if (tiles !== 1) throw new Error(`benchmark image gives ${tiles} tiles; use a square image of at most ${spec.config.vit_img_size} px`);
  return [extraTokenId(spec.config, 'global_image_token'), ...block];
}

function runChild(args: string[]): Record<string, number> {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as Record<string, number>;
}

function benchmarkRow(model: string, row: string, provider: InferenceProvider, sameThread: boolean): RowResult {
  const dir = mkdtempSync(join(tmpdir(), `nanovlm-bench-${model}-${row}-`));
  const load_avg = loadavg()[0]!;
  try {
    const exported = runChild(['--child-export', model, row, dir]);
    const run = runChild(['--child-run', dir, provider, ...(sameThread ? ['--same-thread'] : [])]);
    return {
      model,
      row,
      load_avg,
      export_s: exported.export_s!,
      load_ms: run.load_ms!,
      ttft_ms: run.ttft_ms!,
      ttft_after_enter_ms: run.ttft_after_enter_ms!,
      decode_tok_s: run.decode_tok_s!,
      bandwidth_share: run.bandwidth_share!,
      peak_rss_mb: run.peak_rss_mb!,
      loop_max_ms: run.loop_max_ms!,
      weights_mb: run.weights_mb!,
      bandwidth_gb_s: run.bandwidth_gb_s!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function listOption(argv: string[], name: string, all: string[]): string[] {
  const at = argv.indexOf(name);
  if (at < 0) return all;
  const list = (argv[at + 1] ?? '').split(',').filter(Boolean);
  for (const item of list) if (!all.includes(item)) throw new Error(`${name}: unknown "${item}" (one of ${all.join(', ')})`);
  return list;
}

/** The machine, since figures depend on it (vector width, cores). */
function hostInfo(): { cpu: string; cores: number; avx512: boolean; avx2: boolean } {
  const flags = process.platform === 'linux' ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, avx512: /\bavx512f\b/.test(flags), avx2: /\bavx2\b/.test(flags) };
}

function printTable(results: RowResult[], device: string): void {
  const host = hostInfo();
  console.log(`${host.cpu}, ${host.cores} cores, ${host.avx512 ? 'AVX-512' : host.avx2 ? 'AVX2' : 'no AVX2'}; graphs run on: ${device}`);
  const header = [
    'model',
    'row',
    'load_avg',
    'export_s',
    'load_ms',
    'ttft_ms',
    'enter_ms',
    'enter/cold',
    'decode_tok_s',
    'vs_plain',
    'weights_mb',
    'copy_gb_s',
    'bw_share',
    'peak_rss_mb',
    'loop_max_ms',
  ];
  console.log(header.map((h) => h.padStart(13)).join(''));
  for (const r of results) {
    const plain = results.find((p) => p.model === r.model && p.row === 'plain-fp32');
    const speedup = plain ? `${(r.decode_tok_s / plain.decode_tok_s).toFixed(2)}x` : '-';
    console.log(
      [
        r.model,
        r.row,
        r.load_avg.toFixed(1),
        r.export_s.toFixed(1),
        r.load_ms.toFixed(0),
        r.ttft_ms.toFixed(0),
        r.ttft_after_enter_ms.toFixed(0),
        `${((100 * r.ttft_after_enter_ms) / r.ttft_ms).toFixed(0)}%`,
        r.decode_tok_s.toFixed(1),
        speedup,
        r.weights_mb.toFixed(0),
        r.bandwidth_gb_s.toFixed(1),
        `${(100 * r.bandwidth_share).toFixed(0)}%`,
        r.peak_rss_mb.toFixed(0),
        r.loop_max_ms.toFixed(0),
      ]
        .map((v) => v.padStart(13))
        .join(''),
    );
  }
  console.log(
    "enter/cold: TTFT after Enter (photo attached 1 s before) ÷ cold TTFT; bw_share: weights_mb × decode_tok_s ÷ copy_gb_s (read + write, measured in the row's process); loop_max_ms: the longest event-loop delay during the cold first tokens",
  );
}

/**
 * {"models": {"nanoVLM-222M": {"plain-fp32": F, "fp32": F, …}, …}, "host": {…}} with
 * F = {export_s, load_ms, ttft_ms, ttft_after_enter_ms, decode_tok_s, bandwidth_share, peak_rss_mb, loop_max_ms};
 * under host, per row: the load average at its start, its decoder weights and the copy bandwidth measured.
 */
function jsonReport(results: RowResult[], provider: InferenceProvider, device: string): Record<string, unknown> {
  type Figures = Omit<RowResult, 'model' | 'row' | 'load_avg' | 'weights_mb' | 'bandwidth_gb_s'>;
  const models: Record<string, Record<string, Figures>> = {};
  const perRow: Record<string, Record<string, Record<string, number>>> = { load_avg_at_row_start: {}, decoder_weights_mb: {}, copy_bandwidth_gb_s: {} };
  for (const { model, row, load_avg, weights_mb, bandwidth_gb_s, ...figures } of results) {
    const name = MODEL_NAMES[model]!;
    (models[name] ??= {})[row] = figures;
    (perRow.load_avg_at_row_start![name] ??= {})[row] = load_avg;
    (perRow.decoder_weights_mb![name] ??= {})[row] = weights_mb;
    (perRow.copy_bandwidth_gb_s![name] ??= {})[row] = bandwidth_gb_s;
  }
  return { models, host: { ...hostInfo(), provider, device, ...perRow } };
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child-export') return childExport(argv[1]!, argv[2]!, argv[3]!);
  if (argv[0] === '--child-run') return childRun(argv[1]!, argv[2] as InferenceProvider, argv.includes('--same-thread'));
  const at = argv.indexOf('--provider');
  const { provider, device } = resolveProvider(at < 0 ? undefined : parseProvider(argv[at + 1]));
  const models = listOption(argv, '--models', Object.keys(MODELS));
  const rows = listOption(argv, '--rows', Object.keys(ROWS));
  const results: RowResult[] = [];
  for (const model of models) {
    for (const row of rows) {
      if (!argv.includes('--json')) process.stderr.write(`${model} ${row}…\n`);
      results.push(benchmarkRow(model, row, provider, argv.includes('--same-thread')));
    }
  }
  if (argv.includes('--json')) console.log(JSON.stringify(jsonReport(results, provider, device), null, 2));
  else printTable(results, device);
}

await main(process.argv.slice(2));
