// nanoVLM's ModalityProjector: pixel shuffle (trade spatial positions for channels), then a
// linear projection without bias into the language model's width.
import type * as tf from '@tensorflow/tfjs';
import type { NanoVLMConfig } from '../../../model/config';
import { linear } from './layers';
import type { Weights } from './weights';

/** [B, N, D] → [B, N/s², s²·D]: each s×s neighbourhood of the patch grid becomes one token. */
export function pixelShuffle(x: tf.Tensor, s: number): tf.Tensor {
  const [b, n, d] = x.shape as [number, number, number];
  const side = Math.round(Math.sqrt(n));
  const out = side / s;
  return x
    .reshape([b, out, s, out, s, d])
    .transpose([0, 1, 3, 2, 4, 5])
    .reshape([b, out * out, s * s * d]);
}

export function modalityProjector(x: tf.Tensor, w: Weights, c: NanoVLMConfig): tf.Tensor {
  return linear(pixelShuffle(x, c.mp_pixel_shuffle_factor), w.get('proj.weight'));
}
