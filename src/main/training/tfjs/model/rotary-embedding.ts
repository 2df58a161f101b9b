// RoPE for the TF.js decoder: the shared float32 tables (model/rope.ts) as [1, 1, T, hd] tensors,
// and q' = q·cos + rotate_half(q)·sin.
import * as tf from '@tensorflow/tfjs';
import type { NanoVLMConfig } from '../../../model/config';
import { fullWidth, ropeTables } from '../../../model/rope';

export interface RotaryTables {
  /** [1, 1, T, hd], broadcast over batch and heads */
  cos: tf.Tensor;
  sin: tf.Tensor;
}

export function rotaryTables(length: number, c: NanoVLMConfig): RotaryTables {
  const { cosHalf, sinHalf, half } = ropeTables(c, length);
  const shape: [number, number, number, number] = [1, 1, length, 2 * half];
  return { cos: tf.tensor4d(fullWidth(cosHalf, length, half), shape), sin: tf.tensor4d(fullWidth(sinHalf, length, half), shape) };
}

/** rotate_half: concat(-x[hd/2:], x[:hd/2]) on the last axis. */
function rotateHalf(x: tf.Tensor): tf.Tensor {
  const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor];
  return tf.concat([x2.neg(), x1], -1);
}

/** q' = q·cos + rotate_half(q)·sin, on [B, heads, T, hd]. */
export function applyRotary(x: tf.Tensor, tables: RotaryTables): tf.Tensor {
  return x.mul(tables.cos).add(rotateHalf(x).mul(tables.sin));
}
