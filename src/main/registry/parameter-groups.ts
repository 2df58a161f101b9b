// Parameters per nanoVLM optimiser group (projector, vision encoder, language model), from a
// checkpoint's config.json alone: what the renderer needs to estimate a run's memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParameterGroupName } from '../../shared/training';
import { parameterShapes } from '../model/checkpoint';
import { parseConfig } from '../model/config';

const GROUP_PREFIXES: [ParameterGroupName, string][] = [['mp', 'MP.'], ['vision', 'vision_encoder.'], ['language', 'decoder.']];

/** undefined when the folder's config.json can no longer be read */
export function parameterGroupCounts(folder: string): Record<ParameterGroupName, number> | undefined {
  try {
    const { config } = parseConfig(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>);
    const counts: Record<ParameterGroupName, number> = { mp: 0, vision: 0, language: 0 };
    for (const [name, shape] of parameterShapes(config)) {
      const group = GROUP_PREFIXES.find(([, prefix]) => name.startsWith(prefix))?.[0];
      if (group) counts[group] += shape.reduce((a, b) => a * b, 1);
    }
    return counts;
  } catch {
    return undefined;
  }
}
