// A decoder whose head size ONNX Runtime's GroupQueryAttention cannot run (not a multiple of 16)
// is exported with the standard-ops decoder instead, quantised as asked, and generates.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { exportOnnx } from '../../../src/main/onnx/export';
import { decodeModel } from '../../../src/main/onnx/onnx-proto';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { writeRandomModel } from '../../../src/main/demo/random-init';
import { DEMO_DIMS, tinyConfig } from '../../../src/main/demo/tiny-config';
import { makeTempDir } from '../../helpers/temp-dir';

const temp = makeTempDir('head-size-');
afterAll(() => temp.remove());

describe('decoder head size', () => {
  it.each([
    ['none', 'MatMul'],
    ['int4', 'MatMulNBits'],
  ] as const)('24 (not a multiple of 16): quant %s exports the standard-ops decoder and answers', async (quant, matmul) => {
    const modelDir = join(temp.path, `model-${quant}`);
    writeRandomModel(modelDir, tinyConfig({ ...DEMO_DIMS, lmDim: 96, lmHeads: 4, lmKvHeads: 2 }), 0);
    const out = join(temp.path, `export-${quant}`);
    mkdirSync(out);
    const checkpoint = openCheckpoint(modelDir);
    const manifest = exportOnnx(checkpoint, out, { quant });
    checkpoint.close();
    expect(manifest.options.graph).toBe('plain');
    const ops = decodeModel(readFileSync(join(out, 'decoder.onnx'))).graph.node.map((n) => n.opType);
    expect(ops).not.toContain('GroupQueryAttention');
    expect(ops).toContain(matmul);

    const engine = await VlmEngine.load(out, { provider: 'cpu', threads: 1 });
    const cache = engine.decoder.newCache();
    const logits = await engine.decoder.run(new Float32Array(5 * 96).fill(0.1), 5, cache);
    const next = await engine.decoder.run(new Float32Array(96).fill(0.2), 1, cache);
    await engine.dispose();
    expect(logits).toHaveLength(engine.config.lm_vocab_size);
    expect(next.every(Number.isFinite)).toBe(true);
  });
});
