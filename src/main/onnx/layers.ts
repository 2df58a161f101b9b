// Building blocks shared by the vision and decoder graphs, named after their PyTorch modules:
// Linear (fp32 MatMul, or weight-only MatMulNBits), LayerNorm, RMSNorm (plain ops) and SiLU.
import { float, MS_DOMAIN, type GraphBuilder } from './graph-builder';
import { QUANT_BLOCK_SIZES, quantizeBlockwise, type QuantBits } from './quantize';

/** How Linear weights are stored: fp32, or weight-only int8/int4 through MatMulNBits. */
export type WeightFormat = 'fp32' | 'int8' | 'int4';

export interface LinearWeight {
  /**
   * PyTorch layout [out, in]; or a function that reads it, called only when no other graph over
   * the same external data file has written this weight already (the export's second decoder)
   */
  weight: Float32Array | (() => Float32Array);
  out: number;
  in: number;
  bias?: Float32Array;
}

/** y = x Wᵀ + b, with W [out, in] as stored by PyTorch. */
export function linear(g: GraphBuilder, x: string, name: string, w: LinearWeight, format: WeightFormat = 'fp32'): string {
  if (w.bias && w.bias.length !== w.out) throw new Error(`${name}.bias: ${w.bias.length} values, expected ${w.out}`);
  const y = format === 'fp32' ? matmulFp32(g, x, name, w) : matmulNBits(g, x, name, w, format === 'int8' ? 8 : 4);
  return w.bias ? g.op('Add', [y, g.initializer(`${name}.bias`, w.bias, [w.out])]) : y;
}

/** The weight's values, checked against its shape. */
function weightOf(name: string, w: LinearWeight): Float32Array {
  const weight = typeof w.weight === 'function' ? w.weight() : w.weight;
  if (weight.length !== w.out * w.in) throw new Error(`${name}.weight: ${weight.length} values, expected [${w.out}, ${w.in}] = ${w.out * w.in}`);
  return weight;
}

// A weight another graph over the same data file already wrote is taken as it is (stored()),
// neither read, transposed nor quantised again.
function matmulFp32(g: GraphBuilder, x: string, name: string, w: LinearWeight): string {
  const weight = g.stored(`${name}.weight`) ?? g.initializer(`${name}.weight`, transpose(weightOf(name, w), w.out, w.in), [w.in, w.out]);
  return g.op('MatMul', [x, weight]);
}

// accuracy_level 4 computes with int8 activations: the fast path (level 0 is very slow for 8 bits).
function matmulNBits(g: GraphBuilder, x: string, name: string, w: LinearWeight, bits: QuantBits): string {
  const names = { codes: `${name}.weight_q${bits}`, scales: `${name}.weight_scales` };
  let codes = g.stored(names.codes);
  let scales = g.stored(names.scales);
  if (!codes || !scales) {
    const q = quantizeBlockwise(weightOf(name, w), w.out, w.in, bits);
    codes = g.initializer(names.codes, q.codes, [q.N, q.blocks, q.blockBytes]);
    scales = g.initializer(names.scales, q.scales, [q.N * q.blocks]);
  }
  return g.op('MatMulNBits', [x, codes, scales], { K: w.in, N: w.out, bits, block_size: QUANT_BLOCK_SIZES[bits], accuracy_level: 4 }, { domain: MS_DOMAIN });
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** Rows of several [out_i, in] weights stacked into one [Σout_i, in] (packed projections). */
export function stackRows(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function layerNorm(g: GraphBuilder, x: string, name: string, weight: Float32Array, bias: Float32Array, eps: number): string {
  const scale = g.initializer(`${name}.weight`, weight, [weight.length]);
  const shift = g.initializer(`${name}.bias`, bias, [bias.length]);
  return g.op('LayerNormalization', [x, scale, shift], { axis: -1, epsilon: float(eps) });
}

/** RMSNorm with standard ops: x · 1/√(mean(x²) + eps) · weight. */
export function rmsNormPlain(g: GraphBuilder, x: string, name: string, weight: Float32Array, eps: number): string {
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x]), g.ints([-1])], { keepdims: 1 });
  const inverseRms = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [meanSquare, g.scalar(eps)])])]);
  return g.op('Mul', [g.op('Mul', [x, inverseRms]), g.initializer(`${name}.weight`, weight, [weight.length])]);
}

export function silu(g: GraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x])]);
}
