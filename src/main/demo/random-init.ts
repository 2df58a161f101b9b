// Fresh weights for a nanoVLM model. Two schemes:
// - 'nanovlm': as nanoVLM's modules initialise themselves: Linear and Embedding weights
//   normal(0, 0.02), zero biases, LayerNorm 1/0, RMSNorm 1, the patch convolution Kaiming-normal
//   (fan_out, ReLU gain), the ViT position embedding uniform [0, 1) (torch.rand).
// - 'scaled' (the default, for small models trained from scratch): the same, except Linear and
//   Embedding weights normal with std 1/√fan_in and the position embedding normal(0, 0.02).
//   nanoVLM's choices suit its 576–960-wide modules, which it always starts from pretrained
//   backbones; at width 64–128, std 0.02 shrinks every layer's output ~5×, and a [0, 1) position
//   embedding outweighs what a patch shows, so the path from the picture to the answer starts too
//   faint for a small model to find in minutes.
// Seeded, so a seed always gives the same model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeByteTokenizer } from '../model/byte-tokenizer';
import { parameterShapes } from '../model/parameters';
import { parseConfig } from '../model/config';
import { elementCount, type TensorToWrite } from '../model/safetensors';
import { writeModelWeights } from '../model/model-weights-file';
import { SeededRandom } from './seeded-random';

type Init = { kind: 'normal'; std: number } | { kind: 'constant'; value: number } | { kind: 'uniform' };

export type InitScheme = 'scaled' | 'nanovlm';

function initFor(name: string, shape: number[], scheme: InitScheme): Init {
  if (name.endsWith('patch_embedding.conv.weight')) {
    const [out, , kh, kw] = shape as [number, number, number, number];
    return { kind: 'normal', std: Math.sqrt(2 / (out * kh * kw)) };
  }
  if (name.endsWith('position_embedding')) return scheme === 'nanovlm' ? { kind: 'uniform' } : { kind: 'normal', std: 0.02 };
  if (name.endsWith('.bias')) return { kind: 'constant', value: 0 };
  if (/(ln1|ln2|layer_norm|norm1|norm2|norm)\.weight$/.test(name)) return { kind: 'constant', value: 1 };
  return { kind: 'normal', std: scheme === 'nanovlm' ? 0.02 : 1 / Math.sqrt(shape[shape.length - 1]!) };
}

function draw(init: Init, size: number, random: SeededRandom): Float32Array {
  const data = new Float32Array(size);
  if (init.kind === 'constant') return data.fill(init.value);
  for (let i = 0; i < size; i++) data[i] = init.kind === 'uniform' ? random.uniform() : init.std * random.normal();
  return data;
}

/** Every parameter of the config (the tied head once, as decoder.head.weight), freshly drawn. */
export function randomWeights(raw: Record<string, unknown>, seed: number, scheme: InitScheme = 'scaled'): Record<string, TensorToWrite> {
  const { config } = parseConfig(raw);
  if (config.lm_tie_weights === false) throw new Error('fresh models are made with tied embeddings (lm_tie_weights true)');
  const random = new SeededRandom(seed);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, shape] of parameterShapes(config)) {
    tensors[name] = { dtype: 'F32', shape, data: draw(initFor(name, shape, scheme), elementCount(shape), random) };
  }
  return tensors;
}

/** Write a ready-to-train model folder: config.json, model.safetensors and the byte tokenizer. */
export function writeRandomModel(dir: string, raw: Record<string, unknown>, seed: number, scheme: InitScheme = 'scaled'): { parameters: number } {
  const tensors = randomWeights(raw, seed, scheme);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(raw, null, 4)}\n`);
  writeModelWeights(join(dir, 'model.safetensors'), parseConfig(raw).config, tensors);
  writeByteTokenizer(dir);
  return { parameters: Object.values(tensors).reduce((n, t) => n + elementCount(t.shape), 0) };
}
