// The building blocks shared by nanoVLM's modules, as plain functions over tensors (weights are
// looked up by name, so the code keeps nanoVLM's parameter names). A PyTorch Linear weight is
// stored [out, in] and computes x @ Wᵀ + b.
import * as tf from '@tensorflow/tfjs';

/**
 * dy [N, out] @ weight [out, in], the gradient that flows back through a Linear. The wasm
 * backend's matmul (XNNPACK) keeps a packed copy of its second operand for as long as that tensor
 * lives: multiplying by the weight itself would keep a copy of every weight on the backward path
 * (540 MB for nanoVLM-222M's decoder) until the optimiser replaces it. A temporary copy, freed at
 * once, takes its packed copy with it.
 */
function timesWeight(dy: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  const temporary = tf.mul(weight, 1);
  const product = tf.matMul(dy, temporary) as tf.Tensor2D;
  temporary.dispose();
  return product;
}

/**
 * rows [N, in] @ weightᵀ [in, out], forward and gradients written with untransposed matMuls and
 * explicit transposes only: the wasm backend multiplies transposed operands 10–20× slower than
 * plain ones (measured: 32 and 63 ms against 3 ms for a 992×256 by 256×96 product). The forward
 * runs in a tidy of its own, so its transposed weight (and packed copy) is freed at once.
 */
const matMulTransposedWeight = tf.customGrad(((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [rows, weight, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([rows, weight]);
  return {
    value: tf.matMul(rows, tf.transpose(weight)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedRows, savedWeight] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [timesWeight(dy as tf.Tensor2D, savedWeight), tf.matMul(tf.transpose(dy as tf.Tensor2D), savedRows)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * The same product for a frozen weight (a tf.Variable with trainable = false): the gradient flows
 * to the rows only. A customGrad computes every input's gradient eagerly, so a frozen weight
 * passed as an input would cost a weight-sized gradient (and its matmul) per use, then dropped.
 */
function matMulFrozenWeight(rows: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  const product = tf.customGrad(((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x] = inputs as [tf.Tensor2D];
    return { value: tf.matMul(x, tf.transpose(weight)), gradFunc: (dy: tf.Tensor) => [timesWeight(dy as tf.Tensor2D, weight)] };
  }) as Parameters<typeof tf.customGrad>[0]);
  return product(rows) as tf.Tensor2D;
}

const isFrozen = (weight: tf.Tensor): boolean => weight instanceof tf.Variable && !weight.trainable;

/** nn.Linear on the last axis of x (any rank ≥ 2). */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1]!;
  const outDim = weight.shape[0]!;
  const rows = x.reshape([-1, inDim]) as tf.Tensor2D;
  let y: tf.Tensor = isFrozen(weight) ? matMulFrozenWeight(rows, weight as tf.Tensor2D) : matMulTransposedWeight(rows, weight);
  if (bias) y = y.add(bias);
  return y.reshape([...x.shape.slice(0, -1), outDim]);
}

/** nn.LayerNorm over the last axis (biased variance, as PyTorch). */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const mean = x.mean(-1, true);
  const centred = x.sub(mean);
  const variance = centred.square().mean(-1, true);
  return centred.mul(variance.add(eps).rsqrt()).mul(weight).add(bias);
}

/** Llama's RMSNorm: x · rsqrt(mean(x²) + eps) · weight. */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const inverseRms = x.square().mean(-1, true).add(eps).rsqrt();
  return x.mul(inverseRms).mul(weight);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU with the tanh approximation (nn.GELU(approximate='tanh'), SigLIP's activation). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  const inner = x.add(x.square().mul(x).mul(0.044715)).mul(SQRT_2_OVER_PI);
  return x.mul(0.5).mul(inner.tanh().add(1));
}

/** SiLU (x · sigmoid(x)), the gate of Llama's MLP. */
export function silu(x: tf.Tensor): tf.Tensor {
  return x.mul(x.sigmoid());
}

/** [B, T, heads·hd] → [B, heads, T, hd] */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor {
  const [b, t, d] = x.shape as [number, number, number];
  return x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
}

/** [B, heads, T, hd] → [B, T, heads·hd] */
export function mergeHeads(x: tf.Tensor): tf.Tensor {
  const [b, heads, t, hd] = x.shape as [number, number, number, number];
  return x.transpose([0, 2, 1, 3]).reshape([b, t, heads * hd]);
}
