// Follows one background job (import, export) by its 'job.updated' events. The subscription is
// made before the job is started, so no early event is missed; a slow poll covers a lost stream.
import type { Job } from '../../../shared/jobs';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';
import { jobEnded, trackJob } from '../../lib/jobs.svelte';

const POLL_MS = 3000;

export class JobWatch {
  job = $state.raw<Job | null>(null);
  private readonly early = new Map<string, Job>();
  private readonly stop: () => void;
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor() {
    this.stop = client.subscribe('job.updated', (job) => this.update(job));
  }

  /** Starts watching the job a call returned. */
  follow(job: Job): void {
    const seen = this.early.get(job.id);
    this.job = seen && (seen.status !== 'running' || seen.progress.done >= job.progress.done) ? seen : job;
    this.early.clear();
    clearInterval(this.poll);
    this.poll = setInterval(() => void this.refresh(), POLL_MS);
  }

  async cancel(): Promise<void> {
    if (!this.job || this.job.status !== 'running') return;
    try {
      await client.call('jobs.cancel', { id: this.job.id });
    } catch (err) {
      reportError(err, 'Could not cancel');
    }
  }

  /**
   * Stops watching. The dialog that watched shows a failure itself; a job still running when its
   * dialog closes reports a failure as a notice instead (`what`: "Import failed").
   */
  dispose(what?: string): void {
    this.stop();
    clearInterval(this.poll);
    const job = this.job;
    if (what && job?.status === 'running') {
      trackJob(job);
      void jobEnded(job.id).then((ended) => ended.status === 'failed' && reportError(ended.error, what));
    }
  }

  private update(job: Job): void {
    if (!this.job) this.early.set(job.id, job);
    else if (job.id === this.job.id) this.job = job;
    if (this.job && this.job.status !== 'running') clearInterval(this.poll);
  }

  private async refresh(): Promise<void> {
    if (!this.job || this.job.status !== 'running') return clearInterval(this.poll);
    try {
      const found = (await client.call('jobs.list', {})).find((j) => j.id === this.job?.id);
      if (found) this.update(found);
    } catch (err) {
      clearInterval(this.poll);
      reportError(err, 'Lost track of the job');
    }
  }
}
