// Named access to a model's parameters, scoped like PyTorch submodules: the vision encoder asks
// its scope for "blocks.0.attn.qkv_proj.weight" and gets "vision_encoder.blocks.0.attn...".
import type * as tf from '@tensorflow/tfjs';

export interface Weights {
  get(name: string): tf.Tensor;
  scope(prefix: string): Weights;
}

export function weightsFromMap(tensors: ReadonlyMap<string, tf.Tensor>, prefix = ''): Weights {
  return {
    get(name) {
      const full = prefix + name;
      const t = tensors.get(full);
      if (!t) throw new Error(`model parameter "${full}" is missing`);
      return t;
    },
    scope: (sub) => weightsFromMap(tensors, `${prefix}${sub}.`),
  };
}
