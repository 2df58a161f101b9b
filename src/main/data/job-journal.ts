// The journal of background jobs in the database: a row when a job starts, updated when it ends.
// A row still "running" at the next start belongs to a job the studio was killed in the middle
// of: it is marked interrupted, the files it had named as leftovers (an export's staging folder)
// are removed, and the job is listed with what happened, so that no cut-short work goes unsaid.
import { rmSync } from 'node:fs';
import type { Job } from '../../shared/jobs';
import type { StudioDatabase } from './database';
import { prepared } from './statement-cache';

const KEEP_ROWS = 500;

export interface InterruptedJob {
  id: string;
  kind: Job['kind'];
  label: string;
  startedAt: number;
  /** the leftovers that were removed */
  removed: string[];
}

export class JobJournal {
  constructor(private readonly db: StudioDatabase) {}

  started(job: Job): void {
    prepared(this.db, "INSERT OR REPLACE INTO job_journal (id, kind, label, status, started_at) VALUES (?, ?, ?, 'running', ?)").run(
      job.id,
      job.kind,
      job.label,
      job.startedAt,
    );
  }

  /** A file or folder the job is writing that must not outlive it if the studio dies. */
  leftover(jobId: string, path: string): void {
    prepared(this.db, "UPDATE job_journal SET leftovers = json_insert(leftovers, '$[#]', ?) WHERE id = ?").run(path, jobId);
  }

  ended(job: Job): void {
    prepared(this.db, "UPDATE job_journal SET status = ?, ended_at = ?, error = ?, leftovers = '[]' WHERE id = ?").run(
      job.status,
      job.endedAt ?? Date.now(),
      job.error ?? null,
      job.id,
    );
  }

  /** Marks the jobs a crash cut short as interrupted and removes their leftovers; returns them. */
  recoverInterrupted(now = Date.now()): InterruptedJob[] {
    const rows = prepared<[], { id: string; kind: Job['kind']; label: string; started_at: number; leftovers: string }>(
      this.db,
      "SELECT id, kind, label, started_at, leftovers FROM job_journal WHERE status = 'running' ORDER BY started_at",
    ).all();
    const interrupted = rows.map((r) => {
      const removed = JSON.parse(r.leftovers) as string[];
      for (const path of removed) rmSync(path, { recursive: true, force: true });
      prepared(this.db, "UPDATE job_journal SET status = 'interrupted', ended_at = ?, leftovers = '[]' WHERE id = ?").run(now, r.id);
      return { id: r.id, kind: r.kind, label: r.label, startedAt: r.started_at, removed };
    });
    prepared(this.db, 'DELETE FROM job_journal WHERE id NOT IN (SELECT id FROM job_journal ORDER BY started_at DESC LIMIT ?)').run(KEEP_ROWS);
    return interrupted;
  }
}
