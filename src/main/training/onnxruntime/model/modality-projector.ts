// nanoVLM's ModalityProjector as training-graph ops: pixel shuffle (each s×s neighbourhood of the
// patch grid becomes one token of s²·D channels), then a linear projection without bias.
import { vitPatchesPerSide, type NanoVLMConfig } from '../../../model/config';
import type { Tensor, TensorGraph } from '../../../onnx/tensor-graph';
import { linear } from './layers';
import type { Params } from './parameters';

/** [tiles, N, D] → [tiles, N/s², s²·D] */
export function pixelShuffle(tg: TensorGraph, x: Tensor, c: NanoVLMConfig): Tensor {
  const s = c.mp_pixel_shuffle_factor;
  const out = vitPatchesPerSide(c) / s;
  const D = c.vit_hidden_dim;
  return tg.reshape(tg.transpose(tg.reshape(x, [-1, out, s, out, s, D]), [0, 1, 3, 2, 4, 5]), [-1, out * out, s * s * D]);
}

export function modalityProjector(tg: TensorGraph, x: Tensor, w: Params, c: NanoVLMConfig): Tensor {
  return linear(tg, pixelShuffle(tg, x, c), w.get('proj.weight'));
}
