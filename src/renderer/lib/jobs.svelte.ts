// Every background job the person started (downloads, exports, drafts, imports), kept current by
// 'job.updated' events: the status bar's tray and each screen read progress from here.
import type { Job } from '../../shared/jobs';
import { client } from './client';
import { reportError } from './errors.svelte';

export const jobStore = $state<{ byId: Record<string, Job> }>({ byId: {} });
const waiters = new Map<string, ((job: Job) => void)[]>();
let feeding = false;

/** Subscribe once, then fill in jobs that started before this page opened. */
export function startJobFeed(): void {
  if (feeding) return;
  feeding = true;
  client.subscribe('job.updated', record);
  client.call('jobs.list', {}).then(
    (jobs) => jobs.forEach((job) => jobStore.byId[job.id] ?? record(job)),
    (err: unknown) => reportError(err, 'Could not list background jobs'),
  );
}

/** A job a call just returned: events about it may already have arrived, so never go back in time. */
export function trackJob(job: Job): Job {
  startJobFeed();
  if (!jobStore.byId[job.id]) jobStore.byId[job.id] = job;
  return jobStore.byId[job.id]!;
}

/** Resolves with the job once it has ended (done, failed or cancelled). */
export function jobEnded(id: string): Promise<Job> {
  const now = jobStore.byId[id];
  if (now && now.status !== 'running') return Promise.resolve(now);
  return new Promise((resolve) => waiters.set(id, [...(waiters.get(id) ?? []), resolve]));
}

export async function cancelJob(id: string): Promise<void> {
  try {
    await client.call('jobs.cancel', { id });
  } catch (err) {
    reportError(err, 'Could not cancel the job');
  }
}

export function runningJobs(): Job[] {
  return Object.values(jobStore.byId)
    .filter((j) => j.status === 'running')
    .sort((a, b) => a.startedAt - b.startedAt);
}

export function recentJobs(limit: number): Job[] {
  return Object.values(jobStore.byId)
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, limit);
}

function record(job: Job): void {
  jobStore.byId[job.id] = job;
  if (job.status === 'running') return;
  for (const resolve of waiters.get(job.id) ?? []) resolve(job);
  waiters.delete(job.id);
}
