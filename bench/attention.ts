// The CPU decoder's attention against GroupQueryAttention's, in one process: an export's two
// decoders (decoder.onnx: ONNX Attention over a position-major cache; decoder-gpu.onnx:
// GroupQueryAttention, the GPU providers' graph) both on the CPU provider, nanoVLM-222M-shaped
// random weights. For each context length: a prompt of that many positions, then --tokens
// single-token greedy steps; the two decoders alternate, --rounds times, and each row prints the
// median milliseconds per token and the ratio.
//
//   npm run bench:attention [-- --quant int4|int8|none] [-- --contexts 128,512,1024] [-- --tokens 32] [-- --rounds 3] [-- --json]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/main/model/config';
import { exportOnnx } from '../src/main/onnx/export';
import { parseQuantization } from '../src/main/onnx/export-options';
import type { DecoderSession } from '../src/main/runtime/decoder-session';
import { loadEngineSessions } from '../src/main/runtime/engine-sessions';
import { decoderFor, readExportedModel, type ExportedModel } from '../src/main/runtime/exported-model';
import { randomWeights } from './random-weights';

interface Row {
  context: number;
  onnx_ms_per_token: number;
  gqa_ms_per_token: number;
  /** GroupQueryAttention's time ÷ the CPU decoder's: above 1, the CPU decoder is faster */
  speedup: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function loadDecoder(model: ExportedModel, graph: ReturnType<typeof decoderFor>): Promise<DecoderSession> {
  const config = model.manifest.config;
  const { vision, decoder } = await loadEngineSessions(
    { visionPath: model.visionPath, decoderPath: graph.path, config, cacheLayout: graph.cacheLayout },
    { provider: 'cpu' },
  );
  await vision.dispose();
  return decoder;
}

/** Milliseconds per token of `tokens` steps after a prompt of `context` positions. */
async function msPerToken(decoder: DecoderSession, width: number, context: number, tokens: number): Promise<number> {
  const cache = decoder.newCache(context);
  await decoder.step(new Float32Array(context * width).fill(0.01), context, cache, 1);
  const token = new Float32Array(width).fill(0.01);
  const started = performance.now();
  for (let i = 0; i < tokens; i++) await decoder.step(token, 1, cache, 1);
  return (performance.now() - started) / tokens;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quant: { type: 'string', default: 'int4' },
      contexts: { type: 'string', default: '128,512,1024' },
      tokens: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
    },
  });
  const quant = parseQuantization(values.quant);
  const contexts = values.contexts.split(',').map(Number);
  const tokens = Number(values.tokens);
  const rounds = Number(values.rounds);
  const dir = mkdtempSync(join(tmpdir(), 'nanovlm-bench-attention-'));
  try {
    exportOnnx(randomWeights(parseConfig({})), dir, { quant, graph: 'fused', allLogits: false });
    const model = readExportedModel(dir);
    const width = model.manifest.config.lm_hidden_dim;
    const onnx = await loadDecoder(model, decoderFor(model, 'cpu'));
    const gqa = await loadDecoder(model, decoderFor(model, 'webgpu'));
    const rows: Row[] = [];
    for (const context of contexts) {
      const times = { onnx: [] as number[], gqa: [] as number[] };
      for (let round = 0; round < rounds; round++) {
        times.onnx.push(await msPerToken(onnx, width, context, tokens));
        times.gqa.push(await msPerToken(gqa, width, context, tokens));
      }
      const row = { context, onnx_ms_per_token: median(times.onnx), gqa_ms_per_token: median(times.gqa), speedup: median(times.gqa) / median(times.onnx) };
      rows.push(row);
      if (!values.json) {
        console.log(
          `context ${String(context).padStart(5)}: ONNX Attention ${row.onnx_ms_per_token.toFixed(2)} ms/token, GroupQueryAttention ${row.gqa_ms_per_token.toFixed(2)} → ${row.speedup.toFixed(2)}×`,
        );
      }
    }
    await Promise.all([onnx.dispose(), gqa.dispose()]);
    if (values.json) console.log(JSON.stringify({ host: { cpu: cpus()[0]?.model, cores: cpus().length }, quant, tokens, rounds, rows }, null, 2));
    else console.log(`${cpus()[0]?.model}, ${cpus().length} cores; nanoVLM-222M decoder, ${quant}, median of ${rounds} alternating rounds of ${tokens} tokens`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
