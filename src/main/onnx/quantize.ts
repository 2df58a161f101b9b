// Weight-only block quantisation in the layout of com.microsoft.MatMulNBits: for a Linear weight
// W [N, K] (PyTorch layout), each row is cut into blocks along K (64 values for 4 bits, 32 for 8);
// each block stores one float32 scale and its unsigned codes with the op's default zero point (8
// for 4 bits, 128 for 8). Symmetric: the block's largest-magnitude value maps to the lowest code
// (scale = that value / -2^(bits-1)), which uses the whole code range.
// Why 64 for 4 bits: ONNX Runtime's int4 MatMulNBits runs nanoVLM-222M's decoder weights ≈18 %
// faster with 64-value blocks than with 32 (a scale per 64 values: 10 % fewer bytes), measured on
// the AVX-512 VM (docs/runtime-notes.md); a Gaussian weight's error grows from 9.5 % to 11.3 % RMS
// (GPTQ and AWQ checkpoints commonly use 128). A search for each block's best scale won back a
// quarter of that at twice the export time, so the scale stays the plain one.

export type QuantBits = 4 | 8;
export const QUANT_BLOCK_SIZES: Record<QuantBits, number> = { 4: 64, 8: 32 };

/**
 * How far an int8/int4 export's logits may be from fp32's (relative RMS error) and still be right.
 * Measured on the tiny fixture models: int8 ≈ 0.027, int4 ≈ 0.29–0.32 (K = 64: one block per row).
 */
export const QUANTIZED_LOGITS_ERROR_LIMITS = { int8: 0.05, int4: 0.4 } as const;

export interface QuantizedWeight {
  /** uint8 [N, blocks, blockBytes] */
  codes: Uint8Array;
  /** float32 [N * blocks] */
  scales: Float32Array;
  N: number;
  K: number;
  /** values per block along K (MatMulNBits' block_size) */
  blockSize: number;
  blocks: number;
  blockBytes: number;
}

export function quantizeBlockwise(weight: Float32Array, N: number, K: number, bits: QuantBits): QuantizedWeight {
  if (weight.length !== N * K) throw new Error(`quantize: ${weight.length} values for a [${N}, ${K}] weight`);
  const blockSize = QUANT_BLOCK_SIZES[bits];
  const blocks = Math.ceil(K / blockSize);
  const blockBytes = (blockSize * bits) / 8;
  const codes = new Uint8Array(N * blocks * blockBytes);
  const scales = new Float32Array(N * blocks);
  const block = new Float32Array(blockSize);
  const blockCodes = new Uint8Array(blockSize);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      block.fill(0);
      const start = n * K + b * blockSize;
      block.set(weight.subarray(start, Math.min(start + blockSize, (n + 1) * K)));
      const scale = blockScale(block, bits);
      scales[n * blocks + b] = scale;
      encodeBlock(block, scale, bits, blockCodes);
      const out = (n * blocks + b) * blockBytes;
      for (let j = 0; j < blockSize; j++) {
        if (bits === 8) codes[out + j] = blockCodes[j]!;
        else codes[out + (j >> 1)]! |= j & 1 ? blockCodes[j]! << 4 : blockCodes[j]!; // element 2i low nibble, 2i+1 high
      }
    }
  }
  return { codes, scales, N, K, blockSize, blocks, blockBytes };
}

/** Codes of one block at `scale` (rounded to nearest, clamped to the code range). */
function encodeBlock(block: Float32Array, scale: number, bits: QuantBits, out: Uint8Array): void {
  const zero = 1 << (bits - 1);
  const maxCode = (1 << bits) - 1;
  const inverse = scale === 0 ? 0 : 1 / scale;
  for (let j = 0; j < block.length; j++) out[j] = Math.min(maxCode, Math.max(0, Math.round(block[j]! * inverse) + zero));
}

function blockScale(block: Float32Array, bits: QuantBits): number {
  let extreme = 0;
  for (const v of block) if (Math.abs(v) > Math.abs(extreme)) extreme = v;
  return extreme / -(1 << (bits - 1));
}

/** Back to float32 [N, K] (tests and error estimates). */
export function dequantizeBlockwise(q: QuantizedWeight, bits: QuantBits): Float32Array {
  const out = new Float32Array(q.N * q.K);
  const zero = 1 << (bits - 1);
  for (let n = 0; n < q.N; n++) {
    for (let k = 0; k < q.K; k++) {
      const b = Math.floor(k / q.blockSize);
      const j = k % q.blockSize;
      const at = (n * q.blocks + b) * q.blockBytes;
      const code = bits === 8 ? q.codes[at + j]! : (q.codes[at + (j >> 1)]! >> ((j & 1) * 4)) & 15;
      out[n * q.K + k] = (code - zero) * q.scales[n * q.blocks + b]!;
    }
  }
  return out;
}
