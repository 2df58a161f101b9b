// MatMulNBits packing: ONNX Runtime's MatMulNBits on our codes must equal x · dequantize(W)ᵀ.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ExternalDataWriter } from '../../../src/main/onnx/external-data';
import { GraphBuilder } from '../../../src/main/onnx/graph-builder';
import { linear } from '../../../src/main/onnx/layers';
import { encodeModel, DataType } from '../../../src/main/onnx/onnx-proto';
import { dequantizeBlockwise, quantizeBlockwise } from '../../../src/main/onnx/quantize';
import { seededRandom } from '../../../src/main/runtime/sampler';
import { writeFileSync } from 'node:fs';

const N = 24;
const K = 80; // not a multiple of the block: the last block is padded

function randomNormal(n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random()));
}

async function runLinear(weight: Float32Array, x: Float32Array, format: 'int8' | 'int4'): Promise<Float32Array> {
  const dir = mkdtempSync(join(tmpdir(), 'nanovlm-quant-'));
  try {
    const data = new ExternalDataWriter(join(dir, 'm.onnx.data'));
    const g = new GraphBuilder('linear', data);
    const input = g.input('x', DataType.FLOAT, [1, K]);
    g.output(linear(g, input, 'proj', { weight, out: N, in: K }, format), 'y', DataType.FLOAT, [1, N]);
    data.close();
    writeFileSync(join(dir, 'm.onnx'), encodeModel(g.toModel({ '': 21, 'com.microsoft': 1 })));
    const session = await ort.InferenceSession.create(join(dir, 'm.onnx'));
    const out = await session.run({ x: new ort.Tensor('float32', x, [1, K]) });
    await session.release();
    return out.y!.data as Float32Array;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** x rounded as MatMulNBits' int8 path rounds activations: a scale of max|x|/127 per block. */
function int8PerBlock(x: Float32Array, block: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let start = 0; start < x.length; start += block) {
    const part = x.subarray(start, Math.min(start + block, x.length));
    const scale = part.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127;
    part.forEach((v, j) => (out[start + j] = scale === 0 ? 0 : Math.round(v / scale) * scale));
  }
  return out;
}

describe('block quantisation', () => {
  it.each([4, 8] as const)('int%i round-trips within half a step per block', (bits) => {
    const w = randomNormal(N * K, 1);
    const q = quantizeBlockwise(w, N, K, bits);
    const back = dequantizeBlockwise(q, bits);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        const scale = Math.abs(q.scales[n * q.blocks + Math.floor(k / q.blockSize)]!);
        expect(Math.abs(back[n * K + k]! - w[n * K + k]!)).toBeLessThanOrEqual(scale * 1.0001);
      }
    }
  });

  it.each([
    ['int4', 4],
    ['int8', 8],
  ] as const)('MatMulNBits %s computes x · dequantized(W)ᵀ', async (format, bits) => {
    const w = randomNormal(N * K, 2);
    const x = randomNormal(K, 3);
    const q = quantizeBlockwise(w, N, K, bits);
    const wq = dequantizeBlockwise(q, bits);
    // accuracy level 4 also rounds the activations to int8, per block of the weights' block size
    const xq = int8PerBlock(x, q.blockSize);
    const expected = new Float32Array(N);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) expected[n]! += xq[k]! * wq[n * K + k]!;
    const y = await runLinear(w, x, format);
    const worst = Math.max(...Array.from(y, (v, n) => Math.abs(v - expected[n]!)));
    expect(worst).toBeLessThan(1e-3 * Math.sqrt(K)); // a packing mistake gives errors of order √K
  });
});
