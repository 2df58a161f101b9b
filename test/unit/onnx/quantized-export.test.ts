// int8/int4 exports (MatMulNBits, head included) load and stay close to the fp32 reference.
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../../src/main/onnx/onnx-proto';
import { QUANTIZED_LOGITS_ERROR_LIMITS } from '../../../src/main/onnx/quantize';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { relativeRmsError } from '../../../src/main/util/compare';
import { exportFixture, FAMILIES, loadFixture, removeDir } from './fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMITS = QUANTIZED_LOGITS_ERROR_LIMITS;
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
