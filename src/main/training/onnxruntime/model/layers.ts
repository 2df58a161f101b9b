// The building blocks shared by the modules of the training graph, on row-major activations:
// Linear over the last axis (one Gemm, weights stored [out, in] as PyTorch does), RMSNorm, SiLU,
// and the reshapes between [B, T, heads·hd] and [B, heads, T, hd].
import type { Tensor, TensorGraph } from '../../../onnx/tensor-graph';

/** nn.Linear on the last axis of x (any rank ≥ 2), as one Gemm over its rows. */
export function linear(tg: TensorGraph, x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (x.shape.length === 2) return tg.linear(x, weight, bias);
  const inDim = x.shape[x.shape.length - 1] as number;
  const y = tg.linear(tg.reshape(x, [-1, inDim]), weight, bias);
  return tg.reshape(y, [...targetOf(x.shape.slice(0, -1)), weight.shape[0] as number]);
}

/** Sizes for Reshape: static ones as they are, the one known only at run time as -1. */
function targetOf(dims: readonly (number | string)[]): number[] {
  if (dims.filter((d) => typeof d !== 'number').length > 1) throw new Error(`linear: more than one run-time dimension in [${dims.join(', ')}]`);
  return dims.map((d) => (typeof d === 'number' ? d : -1));
}

/** Llama's RMSNorm: x · 1/√(mean(x²) + eps) · weight. */
export function rmsNorm(tg: TensorGraph, x: Tensor, weight: Tensor, eps: number): Tensor {
  const inverseRms = tg.reciprocal(tg.sqrt(tg.add(tg.reduceMean(tg.mul(x, x), [-1]), tg.scalar(eps))));
  return tg.mul(tg.mul(x, inverseRms), weight);
}

export function silu(tg: TensorGraph, x: Tensor): Tensor {
  return tg.mul(x, tg.sigmoid(x));
}

/** [B, T, heads·hd] → [B, heads, T, hd] */
export function splitHeads(tg: TensorGraph, x: Tensor, heads: number): Tensor {
  const d = x.shape[2] as number;
  return tg.transpose(tg.reshape(x, [...targetOf(x.shape.slice(0, 2)), heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, heads, T, hd] → [B, T, heads·hd] */
export function mergeHeads(tg: TensorGraph, x: Tensor): Tensor {
  const [b, heads, t, hd] = x.shape;
  return tg.reshape(tg.transpose(x, [0, 2, 1, 3]), [...targetOf([b!, t!]), (heads as number) * (hd as number)]);
}
