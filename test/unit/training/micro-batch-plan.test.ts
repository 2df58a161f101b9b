// A batch the wasm heap cannot hold at once is split into the largest micro-batches that fit; a
// small model takes its batch whole; a step that fits in no split keeps the whole batch (the run
// then goes to the cpu engine, or is refused on wasm).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/model/config';
import { WASM_TRAINING_LIMIT_BYTES } from '../../../src/shared/memory-estimate';
import { microBatchPlan } from '../../../src/main/training/engines/micro-batch-plan';
import { DEMO_DIMS, tinyConfig } from '../../../src/main/demo/tiny-config';

const nanoVLM222M = { family: 'prefix' as const, config: parseConfig({}).config };

describe('micro-batch plan', () => {
  it("takes a small model's batch whole", () => {
    const demo = parseConfig(tinyConfig(DEMO_DIMS));
    expect(microBatchPlan(demo, { mp: 1e-3, vision: 1e-3, language: 1e-3 }, 16, 1)).toMatchObject({ microBatch: 16, microBatches: 1 });
  });

  it('splits batch 4 of nanoVLM-222M (projector only) into micro-batches that fit the wasm heap', () => {
    const plan = microBatchPlan(nanoVLM222M, { mp: 1e-3, vision: 0, language: 0 }, 4, 2);
    expect(plan.microBatch).toBeLessThan(4);
    expect(4 % plan.microBatch).toBe(0);
    expect(plan.microBatches).toBe(2 * (4 / plan.microBatch));
    expect(plan.bytes).toBeLessThanOrEqual(WASM_TRAINING_LIMIT_BYTES);
  });

  it('with samples of 113 positions (not the generous 256), projector + decoder at batch 4 stays on wasm as micro-batches of one', () => {
    const rates = { mp: 1e-3, vision: 0, language: 1e-4 };
    expect(microBatchPlan(nanoVLM222M, rates, 4, 1).bytes).toBeGreaterThan(WASM_TRAINING_LIMIT_BYTES);
    expect(microBatchPlan(nanoVLM222M, rates, 4, 1, 113)).toMatchObject({ microBatch: 1, microBatches: 4 });
  });

  it('keeps the batch whole when no split fits (every group trained at batch 4)', () => {
    const plan = microBatchPlan(nanoVLM222M, { mp: 1e-3, vision: 1e-4, language: 1e-4 }, 4, 1);
    expect(plan).toMatchObject({ microBatch: 4, microBatches: 1 });
    expect(plan.bytes).toBeGreaterThan(WASM_TRAINING_LIMIT_BYTES);
  });
});
