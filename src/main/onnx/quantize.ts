// Weight-only block quantisation in the layout of com.microsoft.MatMulNBits: for a Linear weight
// W [N, K] (PyTorch layout), each row is cut into blocks of 32 along K; each block stores one
// float32 scale and 32 unsigned codes with the op's default zero point (8 for 4 bits, 128 for 8).
// Symmetric: the block's largest-magnitude value maps to the lowest code (scale = that value / -2^(bits-1)),
// which uses the whole code range.

export type QuantBits = 4 | 8;
export const QUANT_BLOCK = 32;

/**
 * How far an int8/int4 export's logits may be from fp32's (relative RMS error) and still be right.
 * Measured on the tiny fixture models: int8 ≈ 0.027, int4 ≈ 0.29 (K = 64: two blocks per row).
 */
export const QUANTIZED_LOGITS_ERROR_LIMITS = { int8: 0.05, int4: 0.4 } as const;

export interface QuantizedWeight {
  /** uint8 [N, blocks, blockBytes] */
  codes: Uint8Array;
  /** float32 [N * blocks] */
  scales: Float32Array;
  N: number;
  K: number;
  blocks: number;
  blockBytes: number;
}

export function quantizeBlockwise(weight: Float32Array, N: number, K: number, bits: QuantBits): QuantizedWeight {
  if (weight.length !== N * K) throw new Error(`quantize: ${weight.length} values for a [${N}, ${K}] weight`);
  const blocks = Math.ceil(K / QUANT_BLOCK);
  const blockBytes = (QUANT_BLOCK * bits) / 8;
  const codes = new Uint8Array(N * blocks * blockBytes);
  const scales = new Float32Array(N * blocks);
  const zero = 1 << (bits - 1);
  const maxCode = (1 << bits) - 1;
  const block = new Float32Array(QUANT_BLOCK);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      block.fill(0);
      const start = n * K + b * QUANT_BLOCK;
      block.set(weight.subarray(start, Math.min(start + QUANT_BLOCK, (n + 1) * K)));
      const scale = blockScale(block, zero);
      scales[n * blocks + b] = scale;
      const inverse = scale === 0 ? 0 : 1 / scale;
      const out = (n * blocks + b) * blockBytes;
      for (let j = 0; j < QUANT_BLOCK; j++) {
        const code = Math.min(maxCode, Math.max(0, Math.round(block[j]! * inverse) + zero));
        if (bits === 8) codes[out + j] = code;
        else codes[out + (j >> 1)]! |= j & 1 ? code << 4 : code; // element 2i low nibble, 2i+1 high
      }
    }
  }
  return { codes, scales, N, K, blocks, blockBytes };
}

function blockScale(block: Float32Array, zero: number): number {
  let extreme = 0;
  for (const v of block) if (Math.abs(v) > Math.abs(extreme)) extreme = v;
  return extreme / -zero;
}

/** Back to float32 [N, K] (tests and error estimates). */
export function dequantizeBlockwise(q: QuantizedWeight, bits: QuantBits): Float32Array {
  const out = new Float32Array(q.N * q.K);
  const zero = 1 << (bits - 1);
  for (let n = 0; n < q.N; n++) {
    for (let k = 0; k < q.K; k++) {
      const b = Math.floor(k / QUANT_BLOCK);
      const j = k % QUANT_BLOCK;
      const at = (n * q.blocks + b) * q.blockBytes;
      const code = bits === 8 ? q.codes[at + j]! : (q.codes[at + (j >> 1)]! >> ((j & 1) * 4)) & 15;
      out[n * q.K + k] = (code - zero) * q.scales[n * q.blocks + b]!;
    }
  }
  return out;
}
