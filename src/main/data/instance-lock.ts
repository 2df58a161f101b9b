// One studio process per data folder, held by an operating-system lock: SQLite's write lock on a
// small lock database (studio.lock), taken when the studio starts and held until it ends. The
// kernel drops the lock with the process however it dies (kill -9, power cut), so a lock never
// goes stale and a reused pid cannot keep it: no pid is trusted. The owner's pid is stored in the
// lock database only to name it to a second studio.
// (The file is never opened with plain fs calls while locked: closing any descriptor of a file
// drops every POSIX lock this process holds on it. SQLite itself takes care of that.)
import Database from 'better-sqlite3';
import { existsSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'studio.lock';

export class AlreadyRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | null,
  ) {
    super(
      `Another nanoVLM Studio (pid ${pid ?? 'unknown'}) is already using the data folder ${dataDir}. Close it first, or choose another folder with NANOVLM_STUDIO_HOME.`,
    );
    this.name = 'AlreadyRunningError';
  }
}

export interface InstanceLock {
  path: string;
  release(): void;
}

const errorCode = (err: unknown) => (err as { code?: string }).code ?? '';

/**
 * Studios before this one wrote their pid into studio.lock as text and trusted it. Such a file
 * proves nothing (the pid may belong to another process by now); it is emptied in place, which
 * SQLite reads as an empty database. (Emptied, not deleted: a deleted file could be locked by one
 * studio while the next one creates another file of the same name.)
 */
function emptyIfLegacy(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const probe = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
  let legacy = false;
  try {
    probe.pragma('schema_version');
  } catch (err) {
    legacy = errorCode(err) === 'SQLITE_NOTADB';
  } finally {
    probe.close();
  }
  if (legacy) truncateSync(path, 0);
}

function ownerPid(db: Database.Database): number | null {
  try {
    return (db.prepare('SELECT pid FROM owner').get() as { pid: number } | undefined)?.pid ?? null;
  } catch {
    return null;
  }
}

export function acquireInstanceLock(dataDir: string): InstanceLock {
  const path = join(dataDir, LOCK_FILE);
  emptyIfLegacy(path);
  const db = new Database(path, { timeout: 0 });
  try {
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    // Record the pid, then hold the write lock for good. A studio that takes the lock in between
    // wins; this one then fails on the second BEGIN, as it should.
    db.exec('BEGIN IMMEDIATE');
    db.prepare('DELETE FROM owner').run();
    db.prepare('INSERT INTO owner (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
    db.exec('COMMIT');
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    const busy = errorCode(err).startsWith('SQLITE_BUSY');
    const pid = busy ? ownerPid(db) : null;
    db.close();
    if (busy) throw new AlreadyRunningError(dataDir, pid);
    throw new Error(`${path}: cannot take the studio's lock (${(err as Error).message})`);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    db.close(); // ends the transaction and drops the lock; the file stays for the next studio
  };
  process.once('exit', release);
  return { path, release };
}
