// Worker-thread entry: the database's full integrity check and, when due, the daily backup, on a
// read-only connection of its own (WAL lets it read beside the studio's writes), so that the main
// thread never waits for either on a large database.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { takeBackup, type BackupInfo } from './database-backups';

export interface DatabaseCheckJob {
  dataDir: string;
  path: string;
  backup: boolean;
}

export type DatabaseCheckResult = { integrity: string[]; backup?: BackupInfo; backupError?: string } | { error: string };

/** SQLite's complaints, "ok" when there are none; a page too damaged to read is one too. */
function integrityCheck(db: Database.Database): string[] {
  try {
    return (db.pragma('integrity_check(20)') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (err) {
    if (/^SQLITE_(CORRUPT|NOTADB)/.test((err as { code?: string }).code ?? '')) return [(err as Error).message];
    throw err;
  }
}

function run(job: DatabaseCheckJob): DatabaseCheckResult {
  let db: Database.Database | undefined;
  try {
    db = new Database(job.path, { readonly: true, fileMustExist: true });
    const integrity = integrityCheck(db);
    if (integrity.join() !== 'ok' || !job.backup) return { integrity };
    try {
      return { integrity, backup: takeBackup(db, job.dataDir, 'daily') };
    } catch (err) {
      return { integrity, backupError: (err as Error).message };
    }
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    db?.close();
  }
}

parentPort!.postMessage(run(workerData as DatabaseCheckJob));
