// model.safetensors as nanoVLM writes it: every stored parameter (the tied head once, as
// decoder.head.weight) plus nanoVLM's persistent buffers (decoder.rotary_embd.inv_freq), so that
// nanoVLM's strict `load_model` accepts the file. Every writer of model weights (runs, init-model,
// the demo) goes through here: the one place that adds the buffers.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint } from './checkpoint';
import { bufferShapes, ROTARY_INV_FREQ, stateDictShapes, storedParameterShapes } from './parameters';
import { rotaryInvFreq } from './rope';
import { writeSafetensors, type TensorToWrite } from './safetensors';
import type { NanoVLMConfig } from './config';

/** nanoVLM's buffers, computed from the config as its modules compute them. */
export function bufferTensors(config: NanoVLMConfig): Record<string, TensorToWrite> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, shape] of bufferShapes(config)) {
    if (name !== ROTARY_INV_FREQ) throw new Error(`no value known for nanoVLM buffer "${name}"`);
    tensors[name] = { dtype: 'F32', shape, data: rotaryInvFreq(config) };
  }
  return tensors;
}

/** The full state_dict to store: the parameters given (checked against the config) and the buffers. */
export function stateDictTensors(config: NanoVLMConfig, parameters: Record<string, TensorToWrite>): Record<string, TensorToWrite> {
  const expected = storedParameterShapes(config);
  for (const [name, shape] of expected) {
    const t = parameters[name];
    if (!t) throw new Error(`model weights: parameter "${name}" is missing`);
    if (t.shape.join(',') !== shape.join(',')) throw new Error(`model weights: "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const unknown = Object.keys(parameters).filter((name) => !expected.has(name));
  if (unknown.length > 0) throw new Error(`model weights: not parameters of this config: ${unknown.slice(0, 5).join(', ')}`);
  return { ...parameters, ...bufferTensors(config) };
}

/** Write model.safetensors atomically with exactly nanoVLM's state_dict keys. */
export function writeModelWeights(path: string, config: NanoVLMConfig, parameters: Record<string, TensorToWrite>): void {
  writeSafetensors(path, stateDictTensors(config, parameters), { format: 'pt' });
}

/**
 * A checkpoint folder's weights written to `target` as nanoVLM's state_dict: the file itself when it
 * already is exactly that (float32), else re-written (older files without the buffers, F16/BF16).
 */
export function copyModelWeights(folder: string, target: string): void {
  const checkpoint = openCheckpoint(folder);
  try {
    const names = checkpoint.weights.names();
    const exact =
      names.length === stateDictShapes(checkpoint.config).size &&
      names.every((n) => stateDictShapes(checkpoint.config).has(n) && checkpoint.weights.info(n).dtype === 'F32');
    if (exact) return copyFileSync(join(folder, 'model.safetensors'), target);
    const tensors: Record<string, TensorToWrite> = {};
    for (const [name, shape] of storedParameterShapes(checkpoint.config)) tensors[name] = { dtype: 'F32', shape, data: checkpoint.read(name) };
    writeModelWeights(target, checkpoint.config, tensors);
  } finally {
    checkpoint.close();
  }
}
