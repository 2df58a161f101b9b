// The bundled demo: a small model trained by `npm run train:demo` and a small dataset, shipped in
// resources/ so that a new studio can chat about a photo and train within a minute, offline.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelInfo } from '../../shared/models';
import type { ModelRegistry } from '../registry/model-registry';

export const DEMO_MODEL_NAME = 'nanoVLM demo (shapes)';
export const DEMO_DATASET_NAME = 'Demo: shapes and photos';
const DEMO_REFERENCE = 'bundled demo model';

/** resources/ of the source tree; the Electron shell passes its own. */
export function defaultResourcesDir(): string {
  return fileURLToPath(new URL('../../../resources', import.meta.url));
}

export const demoModelDir = (resourcesDir: string): string => join(resourcesDir, 'demo-model');

/** The demo dataset's JSONL (Hub VQA layout, images beside it), when it ships. */
export function demoDataPath(resourcesDir: string): string | undefined {
  const path = join(resourcesDir, 'demo-data', 'demo.jsonl');
  return existsSync(path) ? path : undefined;
}

/** Register (or refresh) the bundled model; nothing happens when it does not ship. */
export function registerDemoModel(models: ModelRegistry, resourcesDir: string): ModelInfo | undefined {
  const folder = demoModelDir(resourcesDir);
  if (!existsSync(join(folder, 'model.safetensors'))) return undefined;
  const known = models.find('demo', DEMO_REFERENCE);
  if (known && known.folder === folder) return known;
  return models.register({ source: 'demo', reference: DEMO_REFERENCE, folder, tokenizerFolder: folder, name: DEMO_MODEL_NAME });
}
