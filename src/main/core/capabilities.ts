// What this machine can run: inference providers (ONNX Runtime) and training engines
// (TensorFlow.js), detected once and cached; never throws.
import { createRequire } from 'node:module';
import type { ProviderReport } from '../../shared/system';

export interface Capabilities {
  versions: Record<string, string>;
  inference: ProviderReport;
  training: ProviderReport;
}

const require = createRequire(import.meta.url);
let cached: Promise<Capabilities> | undefined;

function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function detectCapabilities(): Promise<Capabilities> {
  cached ??= detect();
  return cached;
}

async function detect(): Promise<Capabilities> {
  const versions: Record<string, string> = {};
  for (const name of ['onnxruntime-node', '@tensorflow/tfjs', 'better-sqlite3', 'sharp']) {
    const v = packageVersion(name);
    if (v) versions[name] = v;
  }
  return { versions, inference: await inferenceReport(), training: await trainingReport() };
}

async function inferenceReport(): Promise<ProviderReport> {
  return { chosen: 'cpu', candidates: [{ name: 'cpu', available: true, detail: 'onnxruntime-node CPU provider' }], reason: 'provider detection not yet wired' };
}

async function trainingReport(): Promise<ProviderReport> {
  return { chosen: 'cpu', candidates: [{ name: 'cpu', available: true, detail: '@tensorflow/tfjs cpu backend' }], reason: 'engine detection not yet wired' };
}
