// The GPU check's bench rows, each run on the GPU provider and on the CPU provider in the same
// process so that the figures come with a ratio: chat (time to first token for a photo and a
// 64-token prompt, decode tokens/s, fp32 and int4) and training (samples/s of one AdamW step,
// batch 1 with the vision encoder frozen and batch 4 with it trained), at nanoVLM-222M's
// dimensions or the `small` size for slow devices. Random weights, generated here from a seed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/main/model/config';
import { exportOnnx } from '../../src/main/onnx/export';
import type { Quantization } from '../../src/main/onnx/export-options';
import { generate } from '../../src/main/runtime/generate';
import type { InferenceProvider } from '../../src/main/runtime/providers';
import { VlmEngine } from '../../src/main/runtime/vlm-engine';
import { randomWeights } from '../random-weights';
import { BENCH_SIZES, IMAGE_TOKENS, onnxMatMul, TEXT_TOKENS, timeTrainingSteps, type BenchSize, type StepShape } from '../training-step';

const PROMPT_TOKENS = 64;
const DECODE_TOKENS = 64;

export interface ChatRow {
  kind: 'chat';
  provider: InferenceProvider;
  quant: Quantization;
  load_ms: number;
  ttft_ms: number;
  decode_tok_s: number;
}

export interface TrainRow {
  kind: 'train';
  provider: InferenceProvider;
  batch: number;
  vision: 'frozen' | 'trained';
  samples_per_s: number;
  gflop_s: number;
  matmul_gflop_s: number;
  first_step_ms: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Chat on `provider`: the model exported with `quant`, a random photo, greedy tokens. */
export async function chatRow(provider: InferenceProvider, quant: Quantization, size: BenchSize): Promise<ChatRow> {
  const spec = parseConfig(BENCH_SIZES[size]);
  const dir = mkdtempSync(join(tmpdir(), `nanovlm-gpu-check-chat-`));
  try {
    exportOnnx(randomWeights(spec), dir, { graph: 'fused', quant, allLogits: false });
    let t = performance.now();
    const engine = await VlmEngine.load(dir, { provider });
    const load_ms = performance.now() - t;
    try {
      const side = spec.config.vit_img_size;
      const pixels = Float32Array.from({ length: 3 * side * side }, (_, i) => ((i * 37) % 255) / 127.5 - 1);
      const inputIds = Array.from({ length: PROMPT_TOKENS }, (_, i) => 32 + ((i * 7) % 90));
      const request = { inputIds, pixels, tiles: 1 };
      const firstToken = async () => (await generate(engine, request, { greedy: true, maxNewTokens: 1, stopTokenIds: [] })).ttftMs;
      await firstToken(); // warm-up: kernels chosen, buffers allocated
      const ttfts = [await firstToken(), await firstToken(), await firstToken()];
      t = performance.now();
      const decoded = await generate(engine, request, { greedy: true, maxNewTokens: DECODE_TOKENS, stopTokenIds: [] });
      return { kind: 'chat', provider, quant, load_ms, ttft_ms: median(ttfts), decode_tok_s: decoded.decodeTokensPerSecond };
    } finally {
      await engine.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One AdamW step on the onnxruntime engine on `provider` (2 timed after the first), beside a plain MatMul there. */
export async function trainRow(provider: InferenceProvider, batch: number, vision: 'frozen' | 'trained', size: BenchSize): Promise<TrainRow> {
  const shape: StepShape = { engine: 'onnxruntime', batch, micro: batch, vision, train: 'mp+language', provider };
  const timing = await timeTrainingSteps({ engine: 'onnxruntime', provider, reason: 'the GPU check', skipped: [] }, shape, 2, size);
  return {
    kind: 'train',
    provider,
    batch,
    vision,
    samples_per_s: timing.samples_per_s,
    gflop_s: timing.gflop_s,
    matmul_gflop_s: await onnxMatMul((IMAGE_TOKENS + TEXT_TOKENS) * batch, provider),
    first_step_ms: timing.first_step_ms,
  };
}
