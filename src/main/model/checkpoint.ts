// A nanoVLM checkpoint folder: config.json + model.safetensors. Opening one checks every expected
// tensor against the config (name, shape), so a wrong or damaged checkpoint fails here with the
// tensor's name and the expected and actual shapes, never later inside a graph.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, type ModelSpec, type NanoVLMConfig } from './config';
import { bufferShapes, HEAD, parameterShapes, TOKEN_EMBEDDING } from './parameters';
import { SafetensorsFile, type Dtype } from './safetensors';

const FLOAT_DTYPES: Dtype[] = ['F32', 'F16', 'BF16', 'F64'];

export class CheckpointError extends Error {
  constructor(
    readonly path: string,
    readonly tensor: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface Checkpoint extends ModelSpec {
  dir: string;
  /** config.json as read (what a checkpoint written from this one keeps: filled-in defaults would change its family) */
  rawConfig: Record<string, unknown>;
  weights: SafetensorsFile;
  /** Float32 data of a parameter by nanoVLM name (the tied head under either stored name), a new array each call. */
  read(name: string): Float32Array;
  close(): void;
}

export function openCheckpoint(dir: string): Checkpoint {
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'model.safetensors');
  if (!existsSync(configPath))
    throw new CheckpointError(configPath, undefined, `${configPath}: not found (a nanoVLM checkpoint folder has config.json and model.safetensors)`);
  if (!existsSync(weightsPath))
    throw new CheckpointError(weightsPath, undefined, `${weightsPath}: not found (a nanoVLM checkpoint folder has config.json and model.safetensors)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointError(configPath, undefined, `${configPath}: not valid JSON (${(err as Error).message})`);
  }
  const spec = parseConfig(raw, configPath);
  const weights = SafetensorsFile.open(weightsPath);
  try {
    validateWeights(weights, spec.config);
  } catch (err) {
    weights.close();
    throw err;
  }
  const read = (name: string): Float32Array => weights.readFloat32(storedName(weights, name));
  return { ...spec, dir, rawConfig: raw, weights, read, close: () => weights.close() };
}

/** Where a parameter is stored: the tied head/embedding may be saved under either name. */
function storedName(weights: SafetensorsFile, name: string): string {
  if (weights.has(name)) return name;
  if (name === HEAD && weights.has(TOKEN_EMBEDDING)) return TOKEN_EMBEDDING;
  if (name === TOKEN_EMBEDDING && weights.has(HEAD)) return HEAD;
  return name;
}

export function validateWeights(weights: SafetensorsFile, config: NanoVLMConfig): void {
  for (const [name, expected] of parameterShapes(config)) {
    const stored = storedName(weights, name);
    if (!weights.has(stored)) {
      const hint = name === HEAD ? ` (nor ${TOKEN_EMBEDDING})` : '';
      throw new CheckpointError(weights.path, name, `${weights.path}: tensor "${name}"${hint} is missing (expected shape [${expected.join(', ')}])`);
    }
    const info = weights.info(stored);
    if (!FLOAT_DTYPES.includes(info.dtype)) {
      throw new CheckpointError(
        weights.path,
        stored,
        `${weights.path}: tensor "${stored}" has dtype ${info.dtype}, expected one of ${FLOAT_DTYPES.join(', ')}`,
      );
    }
    if (info.shape.join(',') !== expected.join(',')) {
      throw new CheckpointError(
        weights.path,
        stored,
        `${weights.path}: tensor "${stored}" has shape [${info.shape.join(', ')}], expected [${expected.join(', ')}] from config.json`,
      );
    }
  }
  // nanoVLM's buffers (inv_freq) are in every file nanoVLM writes; files from older studios lack them
  for (const [name, expected] of bufferShapes(config)) {
    if (!weights.has(name)) continue;
    const info = weights.info(name);
    if (!FLOAT_DTYPES.includes(info.dtype) || info.shape.join(',') !== expected.join(',')) {
      throw new CheckpointError(
        weights.path,
        name,
        `${weights.path}: buffer "${name}" is ${info.dtype} [${info.shape.join(', ')}], expected a float tensor [${expected.join(', ')}] from config.json`,
      );
    }
  }
}
