// Runs long work in the background with progress and cancellation. Each change of a job is
// published as a "job.updated" event; progress is throttled so a fast loop cannot flood the doors.
// With a journal, jobs are also recorded in the database: one that a crash cut short is listed at
// the next start as failed with what happened, and the files it named as leftovers are removed.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/api';
import type { Job, JobProgress } from '../../shared/jobs';
import type { JobJournal } from '../data/job-journal';
import type { EventBus } from './event-bus';

export interface JobContext {
  signal: AbortSignal;
  progress(update: Partial<JobProgress>): void;
  /** A file or folder this job is writing, to be removed if the studio dies before the job ends. */
  leftover(path: string): void;
}

const PROGRESS_INTERVAL_MS = 100;
const KEEP_FINISHED = 50;

export class JobManager {
  private readonly jobs = new Map<string, { job: Job; controller: AbortController; lastPublished: number; done: Promise<void> }>();

  constructor(
    private readonly events: EventBus,
    private readonly journal?: JobJournal,
  ) {
    for (const cut of journal?.recoverInterrupted() ?? []) {
      const job: Job = {
        id: cut.id,
        kind: cut.kind,
        label: cut.label,
        status: 'failed',
        progress: { done: 0, unit: 'items' },
        startedAt: cut.startedAt,
        endedAt: Date.now(),
        error: `interrupted: the studio stopped while this was running${cut.removed.length ? '; its unfinished files were removed' : ''}${cut.kind === 'import' ? '; the samples it had reported imported are kept' : ''}`,
      };
      this.jobs.set(job.id, { job, controller: new AbortController(), lastPublished: 0, done: Promise.resolve() });
    }
  }

  /** The journal is a record, not a gate: a database that refuses writes (damaged, read-only) stops no job. */
  private journalled(write: (journal: JobJournal) => void): void {
    if (!this.journal) return;
    try {
      write(this.journal);
    } catch {
      // the job runs on; at worst it is not reported after a crash
    }
  }

  start<T>(kind: Job['kind'], label: string, unit: JobProgress['unit'], work: (ctx: JobContext) => Promise<T>): Job {
    const controller = new AbortController();
    const job: Job = { id: randomUUID(), kind, label, status: 'running', progress: { done: 0, unit }, startedAt: Date.now() };
    const entry = { job, controller, lastPublished: 0, done: Promise.resolve() };
    this.jobs.set(job.id, entry);
    this.journalled((j) => j.started(job));
    const ctx: JobContext = {
      signal: controller.signal,
      leftover: (path) => this.journalled((j) => j.leftover(job.id, path)),
      progress: (update) => {
        job.progress = { ...job.progress, ...update };
        const now = Date.now();
        if (now - entry.lastPublished >= PROGRESS_INTERVAL_MS) {
          entry.lastPublished = now;
          this.publish(job);
        }
      },
    };
    this.publish(job);
    entry.done = work(ctx).then(
      (result) => this.finish(job, 'done', { result }),
      (err: unknown) => this.finish(job, controller.signal.aborted ? 'cancelled' : 'failed', { error: (err as Error)?.message ?? String(err) }),
    );
    return { ...job };
  }

  list(): Job[] {
    return [...this.jobs.values()].map((e) => ({ ...e.job })).sort((a, b) => b.startedAt - a.startedAt);
  }

  get(id: string): Job {
    const entry = this.jobs.get(id);
    if (!entry) throw new ApiError('not_found', `no job with id ${id}`, 'id');
    return { ...entry.job };
  }

  cancel(id: string): Job {
    const entry = this.jobs.get(id);
    if (!entry) throw new ApiError('not_found', `no job with id ${id}`, 'id');
    if (entry.job.status === 'running') entry.controller.abort(new Error('cancelled'));
    return { ...entry.job };
  }

  /** Resolves when the job has ended, whatever its status. */
  async settled(id: string): Promise<Job> {
    const entry = this.jobs.get(id);
    if (!entry) throw new ApiError('not_found', `no job with id ${id}`, 'id');
    await entry.done;
    return { ...entry.job };
  }

  cancelAll(): void {
    for (const entry of this.jobs.values()) if (entry.job.status === 'running') entry.controller.abort(new Error('shutting down'));
  }

  private finish(job: Job, status: Job['status'], extra: { result?: unknown; error?: string }): void {
    job.status = status;
    job.endedAt = Date.now();
    if (status === 'done') job.result = extra.result;
    else job.error = status === 'cancelled' ? 'cancelled' : extra.error;
    this.journalled((j) => j.ended(job));
    this.publish(job);
    this.prune();
  }

  private publish(job: Job): void {
    this.events.publish('job.updated', { ...job, progress: { ...job.progress } });
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((e) => e.job.status !== 'running');
    for (const e of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(e.job.id);
  }
}
