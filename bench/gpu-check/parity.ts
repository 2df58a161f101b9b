// Parity on one execution provider against nanoVLM's golden outputs, measured rather than
// asserted: each check is a figure, its limit and whether it met it. The same comparisons and
// tolerances as the parity tests (test/unit/onnx/webgpu-parity.test.ts and
// test/unit/training/parity.test.ts), for a machine that has only the GPU check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PADDED_BATCH_NAMES, readBatchFile, SINGLE_SAMPLE_NAMES } from '../../src/main/cli/batch-file';
import type { Family } from '../../src/main/model/config';
import { openCheckpoint } from '../../src/main/model/checkpoint';
import { exportOnnx } from '../../src/main/onnx/export';
import type { ExportOptions } from '../../src/main/onnx/export-options';
import { QUANTIZED_LOGITS_ERROR_LIMITS } from '../../src/main/onnx/quantize';
import { generate } from '../../src/main/runtime/generate';
import type { InferenceProvider } from '../../src/main/runtime/providers';
import { VlmEngine } from '../../src/main/runtime/vlm-engine';
import { checkTrainingStep } from '../../src/main/training/check-step';
import { maxAbsDiff, relativeRmsError } from '../../src/main/util/compare';
import { FIXTURE_RATES, readInferenceCase, readTrainingCase, type GoldenStep, type InferenceCase } from '../../test/helpers/golden-fixtures';

/** fp32 outputs (vision_out, mp_out, logits, cached against recomputed logits) */
export const FP32_TOLERANCE = 1e-4;

export interface Check {
  /** e.g. "prefix fused logits" */
  name: string;
  value: number;
  limit: number;
  ok: boolean;
}

const check = (name: string, value: number, limit: number): Check => ({ name, value, limit, ok: value <= limit });

/** The exports checked: fused contrib-op graphs and standard-ops ones in fp32, the quantised ones. */
export const VARIANTS = { fused: {}, plain: { graph: 'plain' }, int8: { quant: 'int8' }, int4: { quant: 'int4' } } satisfies Record<
  string,
  Partial<ExportOptions>
>;
export type Variant = keyof typeof VARIANTS;

/** The fixture's checkpoint exported with `options` and loaded on `provider`; the export is removed after `use`. */
async function withEngine<T>(
  fixture: InferenceCase,
  options: Partial<ExportOptions>,
  provider: InferenceProvider,
  use: (e: VlmEngine) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `nanovlm-gpu-check-${fixture.family}-`));
  try {
    const checkpoint = openCheckpoint(fixture.dir);
    try {
      exportOnnx(checkpoint, dir, { ...options, allLogits: true });
    } finally {
      checkpoint.close();
    }
    const engine = await VlmEngine.load(dir, { provider, threads: 1 });
    if (engine.provider !== provider) throw new Error(`the engine ran on ${engine.provider}, not ${provider}`);
    try {
      return await use(engine);
    } finally {
      await engine.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** vision_out, mp_out, logits; greedy ids; cached decode against full recomputation, per graph variant. */
export async function inferenceParity(
  fixturesDir: string,
  family: Family,
  provider: InferenceProvider,
  variants: Variant[] = Object.keys(VARIANTS) as Variant[],
): Promise<Check[]> {
  const fixture = readInferenceCase(fixturesDir, family);
  const checks: Check[] = [];
  for (const variant of variants) {
    const options: Partial<ExportOptions> = VARIANTS[variant];
    await withEngine(fixture, options, provider, async (engine) => {
      const result = await engine.forward(fixture.inputIds, fixture.pixels, fixture.tiles);
      if (options.quant === 'int8' || options.quant === 'int4') {
        checks.push(
          check(
            `${family} ${variant} logits (relative RMS error)`,
            relativeRmsError(result.logits, fixture.logits),
            QUANTIZED_LOGITS_ERROR_LIMITS[options.quant],
          ),
        );
        return;
      }
      checks.push(check(`${family} ${variant} vision_out`, maxAbsDiff(result.visionOut, fixture.visionOut), FP32_TOLERANCE));
      checks.push(check(`${family} ${variant} mp_out`, maxAbsDiff(result.mpOut, fixture.mpOut), FP32_TOLERANCE));
      checks.push(check(`${family} ${variant} logits`, maxAbsDiff(result.logits, fixture.logits), FP32_TOLERANCE));
      const request = { inputIds: fixture.inputIds, pixels: fixture.pixels, tiles: fixture.tiles };
      const greedy = await generate(engine, request, { greedy: true, maxNewTokens: fixture.greedyIds.length, stopTokenIds: [fixture.eosTokenId] });
      const mismatched = greedy.tokenIds.filter((id, i) => id !== fixture.greedyIds[i]).length + Math.abs(greedy.tokenIds.length - fixture.greedyIds.length);
      checks.push(check(`${family} ${variant} greedy ids differing from nanoVLM's`, mismatched, 0));
      checks.push(check(`${family} ${variant} cached decode against recomputation`, await cachedDecodeError(engine, fixture), FP32_TOLERANCE));
    });
  }
  return checks;
}

/** The largest difference between the KV-cached step's logits and a full forward pass, over the greedy answer. */
async function cachedDecodeError(engine: VlmEngine, fixture: InferenceCase): Promise<number> {
  const V = engine.config.lm_vocab_size;
  const cache = engine.decoder.newCache(1);
  const prompt = engine.assemble(fixture.inputIds, await engine.encodeImages(fixture.pixels, fixture.tiles));
  let cached = await engine.decoder.run(prompt.data, prompt.length, cache);
  const ids = [...fixture.inputIds];
  let worst = 0;
  for (const next of fixture.greedyIds) {
    const recomputed = await engine.forward(ids, fixture.pixels, fixture.tiles);
    worst = Math.max(worst, maxAbsDiff(cached.subarray(cached.length - V), recomputed.logits.subarray(recomputed.logits.length - V)));
    ids.push(next);
    cached = await engine.decoder.run(engine.embedding.matrix.slice(next * engine.embedding.dim, (next + 1) * engine.embedding.dim), 1, cache);
  }
  return worst;
}

/** One AdamW step on the onnxruntime engine: loss (1e-4), gradient norm (1e-3 relative), loss after the step (1e-3). */
export async function trainingParity(fixturesDir: string, family: Family, provider: InferenceProvider): Promise<Check[]> {
  const golden = readTrainingCase(fixturesDir, family);
  const cases: [string, typeof SINGLE_SAMPLE_NAMES, GoldenStep | undefined][] = [
    ['one sample', SINGLE_SAMPLE_NAMES, golden.train_step],
    ['padded batch of two', PADDED_BATCH_NAMES, golden.train_step_batch2],
  ];
  const checks: Check[] = [];
  for (const [what, names, step] of cases) {
    if (!step) continue;
    const batch = readBatchFile(join(fixturesDir, family, 'expected.safetensors'), names);
    const engine = { engine: 'onnxruntime' as const, provider, reason: 'the GPU check', skipped: [] };
    const got = await checkTrainingStep(join(fixturesDir, family), batch, FIXTURE_RATES, 1.0, engine);
    checks.push(check(`${family} training step, ${what}: loss`, Math.abs(got.loss - step.loss), 1e-4));
    checks.push(check(`${family} training step, ${what}: gradient norm (relative)`, Math.abs(got.grad_norm / step.grad_norm_before_clip - 1), 1e-3));
    checks.push(check(`${family} training step, ${what}: loss after the step`, Math.abs(got.loss_after_step - step.loss_after_one_step), 1e-3));
  }
  return checks;
}
