// The model's parameters as graph inputs, looked up by nanoVLM's names and scoped like PyTorch
// submodules (the vision encoder asks its scope for "blocks.0.ln1.weight"). Every parameter is a
// graph input, so the weights stay in the trainer's own buffers and are never baked into the graph.
import type { Tensor } from '../../../onnx/tensor-graph';

export interface Params {
  get(name: string): Tensor;
  scope(prefix: string): Params;
}

export function paramsFrom(tensors: ReadonlyMap<string, Tensor>, prefix = ''): Params {
  return {
    get(name) {
      const t = tensors.get(prefix + name);
      if (!t) throw new Error(`model parameter "${prefix + name}" is missing`);
      return t;
    },
    scope: (sub) => paramsFrom(tensors, `${prefix}${sub}.`),
  };
}
