// Inference benchmark: random weights with the real dimensions of nanoVLM-222M (prefix family,
// SigLIP-B/16-224 + SmolLM2-135M, 49 image tokens) and nanoVLM-230M-8k (split family, 512-pixel
// tiles, 64 tokens per tile), one row per export variant:
//   plain-fp32 (standard ops) | fp32 | int8 | int4 (fused contrib ops, MatMulNBits)
// export_s: building the export; load_ms: creating the sessions; ttft_ms: image file → first token
// with a 64-token prompt (median of 3 after a warm-up); decode_tok_s: 128 greedy tokens;
// peak_rss_mb: the runtime process's peak resident memory. Every measurement runs in its own child
// process so that memory and caches do not leak between rows.
//
//   npm run bench:inference [-- --json] [-- --models 222m,230m-8k] [-- --rows plain-fp32,fp32,int8,int4]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extraTokenId, parseConfig, type ModelSpec } from '../src/main/model/config';
import { imageSettingsFor, processImage } from '../src/main/model/image-processor';
import { exportOnnx } from '../src/main/onnx/export';
import type { ExportOptions } from '../src/main/onnx/export-options';
import { generate } from '../src/main/runtime/generate';
import { randomWeights } from './random-weights';
import { VlmEngine } from '../src/main/runtime/vlm-engine';

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

interface RowResult {
  model: string;
  row: string;
  /** 1-minute load average when the row started: other work on the machine skews the figures */
  load_avg: number;
  export_s: number;
  load_ms: number;
  ttft_ms: number;
  decode_tok_s: number;
  peak_rss_mb: number;
}

/** Child: export one variant into `dir`, print the seconds it took. */
function childExport(model: string, row: string, dir: string): void {
  const started = performance.now();
  exportOnnx(randomWeights(MODELS[model]!()), dir, { ...ROWS[row]!, allLogits: false });
  process.stdout.write(JSON.stringify({ export_s: (performance.now() - started) / 1000 }));
}

/** Child: load the export, time the first token from the image file, then decoding. */
async function childRun(dir: string): Promise<void> {
  const loadStart = performance.now();
  const engine = await VlmEngine.load(dir, { provider: 'cpu' });
  const load_ms = performance.now() - loadStart;
  const spec = { family: engine.family, config: engine.config };
  const text = Array.from({ length: PROMPT_TOKENS }, (_, i) => 32 + ((i * 7) % 90));

  const firstToken = async (): Promise<number> => {
    const started = performance.now();
    const image = await processImage(IMAGE, imageSettingsFor(spec));
    const placeholders = imagePlaceholders(spec, image.tileCount);
    const result = await generate(engine, { inputIds: [...placeholders, ...text], pixels: image.pixels, tiles: image.tileCount }, { greedy: true, maxNewTokens: 1, stopTokenIds: [], startedAt: started });
    return result.ttftMs;
  };
  await firstToken(); // warm-up: first-run allocations and kernel selection
  const ttfts = [await firstToken(), await firstToken(), await firstToken()].sort((a, b) => a - b);

  const image = await processImage(IMAGE, imageSettingsFor(spec));
  const decode = await generate(engine, { inputIds: [...imagePlaceholders(spec, image.tileCount), ...text], pixels: image.pixels, tiles: image.tileCount }, { greedy: true, maxNewTokens: DECODE_TOKENS, stopTokenIds: [] });
  await engine.dispose();
  process.stdout.write(JSON.stringify({ load_ms, ttft_ms: ttfts[1], decode_tok_s: decode.decodeTokensPerSecond, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
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
  const out = execFileSync(process.execPath, ['--import', 'tsx', self, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return JSON.parse(out) as Record<string, number>;
}

function benchmarkRow(model: string, row: string): RowResult {
  const dir = mkdtempSync(join(tmpdir(), `nanovlm-bench-${model}-${row}-`));
  const load_avg = loadavg()[0]!;
  try {
    const exported = runChild(['--child-export', model, row, dir]);
    const run = runChild(['--child-run', dir]);
    return { model, row, load_avg, export_s: exported.export_s!, load_ms: run.load_ms!, ttft_ms: run.ttft_ms!, decode_tok_s: run.decode_tok_s!, peak_rss_mb: run.peak_rss_mb! };
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

function printTable(results: RowResult[]): void {
  const host = hostInfo();
  console.log(`${host.cpu}, ${host.cores} cores, ${host.avx512 ? 'AVX-512' : host.avx2 ? 'AVX2' : 'no AVX2'}`);
  const header = ['model', 'row', 'load_avg', 'export_s', 'load_ms', 'ttft_ms', 'decode_tok_s', 'peak_rss_mb', 'vs_plain'];
  console.log(header.map((h) => h.padStart(12)).join(''));
  for (const r of results) {
    const plain = results.find((p) => p.model === r.model && p.row === 'plain-fp32');
    const speedup = plain ? `${(r.decode_tok_s / plain.decode_tok_s).toFixed(2)}x` : '-';
    console.log([r.model, r.row, r.load_avg.toFixed(1), r.export_s.toFixed(1), r.load_ms.toFixed(0), r.ttft_ms.toFixed(0), r.decode_tok_s.toFixed(1), r.peak_rss_mb.toFixed(0), speedup].map((v) => v.padStart(12)).join(''));
  }
}

/**
 * {"models": {"nanoVLM-222M": {"plain-fp32": F, "fp32": F, …}, …}, "host": {…}} with
 * F = {export_s, load_ms, ttft_ms, decode_tok_s, peak_rss_mb}; the load average of each row under host.
 */
function jsonReport(results: RowResult[]): Record<string, unknown> {
  const models: Record<string, Record<string, Omit<RowResult, 'model' | 'row' | 'load_avg'>>> = {};
  const loadAverages: Record<string, Record<string, number>> = {};
  for (const { model, row, load_avg, ...figures } of results) {
    const name = MODEL_NAMES[model]!;
    (models[name] ??= {})[row] = figures;
    (loadAverages[name] ??= {})[row] = load_avg;
  }
  return { models, host: { ...hostInfo(), load_avg_at_row_start: loadAverages } };
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child-export') return childExport(argv[1]!, argv[2]!, argv[3]!);
  if (argv[0] === '--child-run') return childRun(argv[1]!);
  const models = listOption(argv, '--models', Object.keys(MODELS));
  const rows = listOption(argv, '--rows', Object.keys(ROWS));
  const results: RowResult[] = [];
  for (const model of models) {
    for (const row of rows) {
      if (!argv.includes('--json')) process.stderr.write(`${model} ${row}…\n`);
      results.push(benchmarkRow(model, row));
    }
  }
  if (argv.includes('--json')) console.log(JSON.stringify(jsonReport(results), null, 2));
  else printTable(results);
}

await main(process.argv.slice(2));
