// Every run with its status, kept current by 'run.updated' events.
import type { RunSummary } from '../../../shared/runs';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';

export const runStore = $state<{ list: RunSummary[]; loaded: boolean }>({ list: [], loaded: false });
let watching = false;

export async function refreshRuns(): Promise<void> {
  try {
    runStore.list = await client.call('runs.list', {});
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
}

export function upsertRun(run: RunSummary): void {
  const index = runStore.list.findIndex((r) => r.id === run.id);
  if (index >= 0) runStore.list[index] = run;
  else runStore.list.unshift(run);
}
