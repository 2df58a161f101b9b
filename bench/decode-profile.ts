// Where a decode step's time goes: ONNX Runtime's own profiler (time per operator type per token)
// and the time around it (the Node binding wrapping inputs and copying outputs, the JavaScript
// cache update), for one export of nanoVLM-222M-shaped random weights. The decoder runs a 113-position
// prompt (49 image rows + 64 tokens), then --steps single-token steps fetching what greedy decoding
// fetches (the best candidate and the appended cache positions). --attention gqa profiles the
// export's GPU decoder (GroupQueryAttention) on the CPU instead of its CPU decoder (ONNX Attention).
//
//   npm run bench:decode-profile [-- --quant int4|int8|none] [-- --steps 64] [-- --attention onnx|gqa]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseConfig } from '../src/main/model/config';
import { exportOnnx } from '../src/main/onnx/export';
import { parseQuantization } from '../src/main/onnx/export-options';
import { DecoderSession } from '../src/main/runtime/decoder-session';
import { decoderFor, readExportedModel } from '../src/main/runtime/exported-model';
import { randomWeights } from './random-weights';

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  ts: number;
  args?: { op_name?: string };
}

function option(argv: string[], name: string, fallback: string): string {
  const at = argv.indexOf(name);
  return at < 0 ? fallback : (argv[at + 1] ?? fallback);
}

async function main(argv: string[]): Promise<void> {
  const quant = parseQuantization(option(argv, '--quant', 'int4'));
  const steps = Number(option(argv, '--steps', '64'));
  const attention = option(argv, '--attention', 'onnx');
  if (attention !== 'onnx' && attention !== 'gqa') throw new Error(`--attention: expected onnx or gqa, got "${attention}"`);
  const dir = mkdtempSync(join(tmpdir(), 'nanovlm-decode-profile-'));
  try {
    exportOnnx(randomWeights(parseConfig({})), dir, { quant, graph: 'fused', allLogits: false });
    const model = readExportedModel(dir);
    const graph = decoderFor(model, attention === 'onnx' ? 'cpu' : 'webgpu');
    const session = await ort.InferenceSession.create(graph.path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: availableParallelism(),
      interOpNumThreads: 1,
      extra: { session: { intra_op: { allow_spinning: '1' } } },
      enableProfiling: true,
      profileFilePrefix: join(dir, 'profile'),
    });
    const c = model.manifest.config;
    const decoder = new DecoderSession(session, c, graph.cacheLayout);
    const prompt = 49 + 64;
    const cache = decoder.newCache(prompt);
    await decoder.step(new Float32Array(prompt * c.lm_hidden_dim).fill(0.01), prompt, cache, 1);
    const token = new Float32Array(c.lm_hidden_dim).fill(0.01);
    const started = performance.now();
    for (let i = 0; i < steps; i++) await decoder.step(token, 1, cache, 1);
    const wallUs = ((performance.now() - started) * 1000) / steps;
    session.endProfiling(); // the binding does not return the file's name: it is the one profile_*.json
    await session.release();
    const file = readdirSync(dir).find((f) => f.startsWith('profile') && f.endsWith('.json'));
    if (!file) throw new Error(`${dir}: ONNX Runtime wrote no profile`);
    report(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[], steps, wallUs, `${quant}, ${attention} attention`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(events: ProfileEvent[], steps: number, wallUs: number, variant: string): void {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const decodeRuns = runs.slice(-steps);
  const from = decodeRuns[0]!.ts;
  const byOp = new Map<string, { us: number; count: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || e.ts < from || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    const entry = byOp.get(op) ?? { us: 0, count: 0 };
    entry.us += e.dur;
    entry.count++;
    byOp.set(op, entry);
  }
  const runUs = decodeRuns.reduce((n, r) => n + r.dur, 0) / steps;
  const kernelUs = [...byOp.values()].reduce((n, v) => n + v.us, 0) / steps;
  console.log(`nanoVLM-222M decoder, ${variant}, ${steps} steps after a 113-position prompt (µs per token; the profiler adds its own overhead)`);
  console.log(`  wall time per step (JavaScript)      ${wallUs.toFixed(0)}`);
  console.log(`  ONNX Runtime run                     ${runUs.toFixed(0)}   (binding + cache update: ${(wallUs - runUs).toFixed(0)})`);
  console.log(`  kernels                              ${kernelUs.toFixed(0)}   (dispatch between kernels: ${(runUs - kernelUs).toFixed(0)})`);
  for (const [op, { us, count }] of [...byOp].sort((a, b) => b[1].us - a[1].us)) {
    console.log(`    ${op.padEnd(34)} ${(us / steps).toFixed(0).padStart(6)}   ×${(count / steps).toFixed(0)}`);
  }
}

await main(process.argv.slice(2));
