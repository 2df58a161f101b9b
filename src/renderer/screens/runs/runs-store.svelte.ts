// Every run with its status, kept current by 'run.updated' events; the run queue, by 'run.queue'.
import type { QueuedRun, RunSummary } from '../../../shared/runs';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';

export const runStore = $state<{ list: RunSummary[]; loaded: boolean; queue: QueuedRun[] }>({ list: [], loaded: false, queue: [] });
let watching = false;

export async function refreshRuns(): Promise<void> {
  try {
    [runStore.list, runStore.queue] = await Promise.all([client.call('runs.list', {}), client.call('runs.queue', {})]);
    runStore.loaded = true;
  } catch (err) {
    reportError(err, 'Could not list the runs');
  }
}

export function watchRuns(): void {
  if (watching) return;
  watching = true;
  void refreshRuns();
  client.subscribe('run.updated', upsertRun);
  client.subscribe('run.queue', (queue) => (runStore.queue = queue));
}

/** Takes a run off the queue. */
export async function dequeueRun(id: string): Promise<void> {
  try {
    runStore.queue = await client.call('runs.dequeue', { id });
  } catch (err) {
    reportError(err, 'Could not remove the queued run');
  }
}

export function upsertRun(run: RunSummary): void {
  const index = runStore.list.findIndex((r) => r.id === run.id);
  if (index >= 0) runStore.list[index] = run;
  else runStore.list.unshift(run);
}
