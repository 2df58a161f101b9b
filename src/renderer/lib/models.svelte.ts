// The registered models, shared by the Models, Chat and Runs screens; reloaded when a download or
// a run's final checkpoint adds one.
import type { ModelInfo } from '../../shared/models';
import { client } from './client';
import { reportError } from './errors.svelte';

export const modelStore = $state<{ list: ModelInfo[]; loaded: boolean }>({ list: [], loaded: false });
let watching = false;

export async function refreshModels(): Promise<void> {
  try {
    modelStore.list = await client.call('models.list', {});
    modelStore.loaded = true;
  } catch (err) {
    reportError(err, 'Could not list the models');
  }
}

/** Load once and keep current: a finished download or run registers a new model. */
export function watchModels(): void {
  if (watching) return;
  watching = true;
  void refreshModels();
  client.subscribe('job.updated', (job) => {
    if (job.kind === 'download' && job.status === 'done') void refreshModels();
  });
  client.subscribe('run.updated', (run) => {
    const known = new Set(modelStore.list.map((m) => m.id));
    if (run.checkpoints.some((c) => c.modelId && !known.has(c.modelId))) void refreshModels();
  });
}

export function modelName(id: string): string {
  return modelStore.list.find((m) => m.id === id)?.name ?? id;
}
