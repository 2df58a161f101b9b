// The run queue: runs asked for while another trains wait here (in the database, so they outlive a
// restart) and start one after the other as runs end, oldest first. A queued run keeps the
// settings it was asked with; its dataset version is frozen when it starts, not when it is queued.
import { randomUUID } from 'node:crypto';
import type { QueuedRun, RunSettings } from '../../shared/runs';
import type { StudioDatabase } from '../data/database';
import { prepared } from '../data/statement-cache';

interface QueueRow {
  id: string;
  name: string;
  settings: string;
  queued_at: number;
}

export class RunQueue {
  constructor(private readonly db: StudioDatabase) {}

  add(name: string, settings: RunSettings): QueuedRun {
    const id = randomUUID();
    prepared(this.db, 'INSERT INTO run_queue (id, name, settings, queued_at) VALUES (?, ?, ?, ?)').run(id, name, JSON.stringify(settings), Date.now());
    return this.list().find((q) => q.id === id)!;
  }

  list(): QueuedRun[] {
    return this.rows().map((row, i) => {
      const settings = JSON.parse(row.settings) as RunSettings;
      return { id: row.id, name: row.name, datasetId: settings.datasetId, baseModelId: settings.baseModelId, position: i + 1, queuedAt: row.queued_at };
    });
  }

  /** Removes a queued run; false when it is not queued (started already, or never was). */
  remove(id: string): boolean {
    return prepared(this.db, 'DELETE FROM run_queue WHERE id = ?').run(id).changes > 0;
  }

  /** The oldest queued run, taken off the queue. */
  takeNext(): { name: string; settings: RunSettings } | undefined {
    const row = this.rows()[0];
    if (!row) return undefined;
    this.remove(row.id);
    return { name: row.name, settings: JSON.parse(row.settings) as RunSettings };
  }

  private rows(): QueueRow[] {
    return prepared<[], QueueRow>(this.db, 'SELECT id, name, settings, queued_at FROM run_queue ORDER BY queued_at, rowid').all();
  }
}
