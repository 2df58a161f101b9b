// Deterministic random parameters with a config's shapes (norm weights 1, the rest ≈ N(0, 0.02)),
// for benchmarks of real-sized models without downloading a checkpoint.
import { parameterShapes } from '../src/main/model/parameters';
import type { ModelSpec } from '../src/main/model/config';
import type { ModelWeights } from '../src/main/onnx/model-weights';
import { seededRandom } from '../src/main/runtime/sampler';

export function randomWeights(spec: ModelSpec): ModelWeights {
  const shapes = parameterShapes(spec.config);
  shapes.set('decoder.token_embedding.weight', shapes.get('decoder.head.weight')!);
  return {
    ...spec,
    read(name: string): Float32Array {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`random weights: unknown parameter "${name}"`);
      const n = shape.reduce((a, b) => a * b, 1);
      if (/norm\d?\.weight$|ln\d\.weight$|layer_norm\.weight$/.test(name)) return new Float32Array(n).fill(1);
      const random = seededRandom(hashName(name.replace('token_embedding', 'head')));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = (random() + random() + random() - 1.5) * 0.04; // ≈ N(0, 0.02)
      return out;
    },
  };
}

function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
