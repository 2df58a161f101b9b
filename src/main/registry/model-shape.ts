// What the run form's memory estimate needs of a registered model (parameters per optimiser group,
// dimensions), from its config.json alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelShape } from '../../shared/memory-estimate';
import { parseConfig } from '../model/config';
import { modelShape } from '../model/parameters';

/** undefined when the folder's config.json can no longer be read */
export function modelShapeOfFolder(folder: string): ModelShape | undefined {
  try {
    return modelShape(parseConfig(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>));
  } catch {
    return undefined;
  }
}
