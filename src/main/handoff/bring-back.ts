// Taking back what nanoVLM's trainer wrote: a save_pretrained folder (config.json +
// model.safetensors, usually {vlm_checkpoint_path}/{run name}/step_{N}) becomes a checkpoint of the
// studio run it was handed from. The run is found from the hand-off's studio.json above the folder
// (or given), the step from the folder's name, and the checkpoint must have the run's architecture.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openCheckpoint } from '../model/checkpoint';
import { stateDictShapes } from '../model/parameters';
import { NANOVLM_STEP_FOLDER } from './nanovlm-trainer';
import { STUDIO_FILE, type StudioHandoffInfo } from './export-run';
import { HandoffError } from './run-json';

/** The studio run a hand-off folder came from: studio.json in the folder or up to three levels above. */
export function handoffRunId(folder: string): string | undefined {
  let dir = folder;
  for (let level = 0; level <= 3; level++) {
    const path = join(dir, STUDIO_FILE);
    if (existsSync(path)) {
      const info = JSON.parse(readFileSync(path, 'utf8')) as StudioHandoffInfo;
      return info.runId;
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** nanoVLM's global step from a step_{N} folder name, if it has one. */
export function stepOfFolder(folder: string): number | undefined {
  const match = NANOVLM_STEP_FOLDER.exec(basename(folder));
  return match ? Number(match[1]) : undefined;
}

/** Refuse a folder that is not a checkpoint of the run's model (other family or shapes), naming the difference. */
export function checkSameArchitecture(folder: string, baseFolder: string): void {
  const incoming = openCheckpoint(folder);
  const base = openCheckpoint(baseFolder);
  try {
    if (incoming.family !== base.family)
      throw new HandoffError('folder', `${folder} holds a ${incoming.family}-family model; the run's base model is ${base.family}-family`);
    const expected = stateDictShapes(base.config);
    for (const [name, shape] of stateDictShapes(incoming.config)) {
      const want = expected.get(name);
      if (!want || want.join(',') !== shape.join(',')) {
        throw new HandoffError(
          'folder',
          `${folder}: tensor "${name}" is [${shape.join(', ')}], the run's model has ${want ? `[${want.join(', ')}]` : 'no such tensor'}: not a checkpoint of this run`,
        );
      }
    }
  } finally {
    incoming.close();
    base.close();
  }
}
