// int8/int4 exports (MatMulNBits, head included) load and stay close to the fp32 reference.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/main/onnx/onnx-proto';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { exportFixture, FAMILIES, loadFixture, removeDir } from './fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** root-mean-square error relative to the reference's root mean square */
function relativeRmsError(actual: Float32Array, expected: Float32Array): number {
  let err = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    err += (actual[i]! - expected[i]!) ** 2;
    ref += expected[i]! ** 2;
  }
  return Math.sqrt(err / ref);
}

// Measured on these tiny random-weight models: int8 ≈ 0.027, int4 ≈ 0.29 (K = 64: two blocks per row).
const LIMITS = { int8: 0.05, int4: 0.4 };
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe.each(FAMILIES)('%s fixture', (family) => {
  const fixture = loadFixture(family);
  it.each(['int8', 'int4'] as const)('%s export runs close to the reference', async (quant) => {
    const dir = exportFixture(family, { quant, allLogits: true });
    dirs.push(dir);
    const graph = decodeModel(readFileSync(join(dir, 'decoder.onnx'))).graph;
    const ops = graph.node.map((n) => n.opType);
    expect(ops.filter((op) => op === 'MatMulNBits')).toHaveLength(4 * 2 + 1); // qkv, out, gate_up, down per block (2 blocks) + head
    expect(ops).not.toContain('MatMul');
    const engine = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
    const { logits } = await engine.forward(fixture.inputIds, fixture.pixels, fixture.tiles);
    await engine.dispose();
    const error = relativeRmsError(logits, fixture.logits);
    expect(error).toBeLessThan(LIMITS[quant]);
  });
});
