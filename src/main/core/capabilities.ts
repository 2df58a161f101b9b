// What this machine can run: inference providers (ONNX Runtime) and training engines (ONNX
// Runtime's training graphs, TensorFlow.js), detected once and cached; never throws.
import { createRequire } from 'node:module';
import type { ProviderReport } from '../../shared/system';
import { detectInferenceProviders, resolveProvider } from '../runtime/providers';

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
  const detection = detectInferenceProviders();
  const candidates = detection.candidates.map((c) => ({ name: c.name, available: c.available, detail: c.detail }));
  try {
    // what engines will use: $NANOVLM_PROVIDER when set, else the detected choice
    const resolved = resolveProvider();
    const reason = resolved.provider === detection.chosen ? detection.reason : `${resolved.reason}; detected: ${detection.reason}`;
    return { chosen: resolved.provider, device: resolved.device, candidates, reason };
  } catch (err) {
    return { chosen: detection.chosen, candidates, reason: `${(err as Error).message}; detected: ${detection.reason}` };
  }
}

async function trainingReport(): Promise<ProviderReport> {
  // loaded on first use: the engine modules bring ONNX Runtime's training graphs and TensorFlow.js
  const { detectTrainingEngines } = await import('../training/engines/select-engine');
  const engines = await detectTrainingEngines();
  const chosen = engines.find((e) => e.available);
  const passedOver = engines.slice(0, chosen ? engines.indexOf(chosen) : engines.length).map((e) => `${e.engine}: ${e.detail}`);
  const reason = chosen
    ? `${chosen.engine} (${chosen.detail})${passedOver.length ? `; passed over ${passedOver.join('; ')}` : ''}`
    : 'no training engine is available';
  return { chosen: chosen?.engine ?? 'none', candidates: engines.map((e) => ({ name: e.engine, available: e.available, detail: e.detail })), reason };
}
