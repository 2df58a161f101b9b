// Watches the open database after start: a full integrity_check (start-up only runs the quick
// one) and the daily backup, both in a worker thread, first a few seconds after start and then
// once a day. A database found damaged is switched to read-only at once (PRAGMA query_only), so
// nothing more is written into it, and the person is told which file and how to restore.
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../onnx/typescript-worker';
import { listBackups, type BackupInfo } from './database-backups';
import type { DatabaseCheckJob, DatabaseCheckResult } from './database-check-worker';
import { DATABASE_FILE, restoreAdvice, type StudioDatabase } from './database';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DatabaseHealth {
  state: 'unchecked' | 'checking' | 'ok' | 'damaged';
  detail: string;
  /** when the last full check ended */
  checkedAt?: number;
  lastBackup?: BackupInfo;
}

export interface DatabaseGuardOptions {
  /** the first check, this long after start (default 10 s) */
  firstCheckAfterMs?: number;
  onDamage?: (message: string) => void;
}

const workerEntry = (): URL => new URL(import.meta.url.endsWith('.ts') ? './database-check-worker.ts' : './database-check-worker.js', import.meta.url);

export class DatabaseGuard {
  private state: DatabaseHealth;
  private timer: NodeJS.Timeout | undefined;
  private worker: Worker | undefined;
  private running: Promise<DatabaseHealth> | undefined;
  private closed = false;

  constructor(
    private readonly db: StudioDatabase,
    private readonly dataDir: string,
    private readonly options: DatabaseGuardOptions = {},
  ) {
    this.state = { state: 'unchecked', detail: 'quick_check passed at start; the full check has not run yet', lastBackup: listBackups(dataDir)[0] };
  }

  start(): void {
    this.schedule(this.options.firstCheckAfterMs ?? 10_000);
  }

  health(): DatabaseHealth {
    return { ...this.state };
  }

  get damaged(): boolean {
    return this.state.state === 'damaged';
  }

  /** Runs the full check (and the backup when one is due) now; resolves with the result. */
  checkNow(): Promise<DatabaseHealth> {
    this.running ??= this.check().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    void this.worker?.terminate();
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.checkNow().then(() => this.schedule(DAY_MS)), ms);
    this.timer.unref();
  }

  private async check(): Promise<DatabaseHealth> {
    const newest = listBackups(this.dataDir).find((b) => b.reason === 'daily');
    const job: DatabaseCheckJob = { dataDir: this.dataDir, path: join(this.dataDir, DATABASE_FILE), backup: !newest || Date.now() - newest.takenAt >= DAY_MS };
    this.state = { ...this.state, state: this.state.state === 'damaged' ? 'damaged' : 'checking' };
    const result = await this.runWorker(job);
    if (this.closed) return this.health();
    if ('error' in result) {
      this.state = { ...this.state, state: this.damaged ? 'damaged' : 'unchecked', detail: `the full check could not run: ${result.error}` };
    } else if (result.integrity.join() !== 'ok') {
      this.markDamaged(`integrity_check: ${result.integrity.slice(0, 3).join('; ')}`);
    } else {
      const backup = result.backup ?? listBackups(this.dataDir)[0];
      const note = result.backupError ? `; the daily backup failed: ${result.backupError}` : '';
      this.state = { state: 'ok', detail: `integrity_check passed${note}`, checkedAt: Date.now(), lastBackup: backup };
    }
    return this.health();
  }

  private markDamaged(detail: string): void {
    if (!this.db.open) return;
    this.db.pragma('query_only = ON');
    const path = join(this.dataDir, DATABASE_FILE);
    const message = `${path} is damaged (${detail}). The studio stopped writing to it: reading still works; changes are refused until it is restored. Close the studio, then: ${restoreAdvice(this.dataDir)}`;
    this.state = { ...this.state, state: 'damaged', detail: message, checkedAt: Date.now() };
    this.options.onDamage?.(message);
  }

  private runWorker(job: DatabaseCheckJob): Promise<DatabaseCheckResult> {
    return new Promise((resolve) => {
      const worker = startWorker(workerEntry(), { workerData: job });
      this.worker = worker;
      let settled = false;
      const finish = (result: DatabaseCheckResult) => {
        if (settled) return;
        settled = true;
        this.worker = undefined;
        resolve(result);
      };
      worker.on('message', (m: DatabaseCheckResult) => finish(m));
      worker.on('error', (err) => finish({ error: err.message }));
      worker.on('exit', (code) => finish({ error: `the check stopped (exit code ${code})` }));
    });
  }
}
