// The studio's SQLite database: WAL, foreign keys on, migrations by user_version, each applied in a
// transaction. Before anything writes, an existing database is inspected through a read-only
// connection (which neither checkpoints nor rewrites it): one written by a newer studio is
// refused, and so is a damaged one (quick_check, or a WAL whose committed frames SQLite would drop
// without a word), each left untouched with its path named and the way back from a backup. A
// backup is taken before each migration.
import Database from 'better-sqlite3';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listBackups, takeBackup } from './database-backups';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';
import { checkWal } from './wal-check';
import { maxOf } from '../../shared/array-utils';

export type StudioDatabase = Database.Database;

export const DATABASE_FILE = 'studio.db';

export class DatabaseTooNewError extends Error {
  constructor(
    readonly path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${path} was written by a newer nanoVLM Studio (schema version ${found}; this version understands up to ${supported}). Update the studio; the database was left untouched.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** What to do about a damaged database, in one sentence. */
export function restoreAdvice(dataDir: string): string {
  const newest = listBackups(dataDir)[0];
  if (!newest) return 'There is no automatic backup to restore; copy the data folder somewhere safe before trying any repair.';
  return `Restore the newest automatic backup (${new Date(newest.takenAt).toISOString()}; later changes are not in it) with: nanovlm database restore --data-dir "${dataDir}" (the damaged files are kept aside).`;
}

export class DatabaseDamagedError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
    dataDir: string,
  ) {
    super(`${path} is damaged (${detail}). It was left untouched and the studio will not write to it. ${restoreAdvice(dataDir)}`);
    this.name = 'DatabaseDamagedError';
  }
}

export function openDatabase(dataDir: string, migrations: Migration[] = MIGRATIONS): StudioDatabase {
  const path = join(dataDir, DATABASE_FILE);
  const latest =
    migrations === MIGRATIONS
      ? LATEST_SCHEMA_VERSION
      : maxOf(
          migrations.map((m) => m.version),
          0,
        );
  const found = existsSync(path) ? inspectDatabase(dataDir, path, latest) : 0;
  let db: StudioDatabase;
  try {
    db = new Database(path);
  } catch (err) {
    throw new Error(`${path}: cannot open the database (${(err as Error).message})`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, dataDir, migrations, found);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Reads an existing database without writing to it; returns its schema version, or throws
 * DatabaseTooNewError / DatabaseDamagedError. The read-only connection may create an empty WAL
 * and its index (-shm, derived data); those are removed again when the database is refused.
 */
export function inspectDatabase(dataDir: string, path: string, latest: number): number {
  const created = ['-wal', '-shm'].filter((suffix) => !existsSync(`${path}${suffix}`));
  let db: StudioDatabase | undefined;
  try {
    const wal = checkWal(`${path}-wal`);
    if (wal.damage)
      throw new DatabaseDamagedError(`${path}-wal`, `its log ${wal.damage.reason}, so SQLite would silently drop the transactions after it`, dataDir);
    db = new Database(path, { readonly: true, fileMustExist: true });
    const found = db.pragma('user_version', { simple: true }) as number;
    if (found > latest) throw new DatabaseTooNewError(path, found, latest);
    const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((r) => r.quick_check);
    if (problems.join() !== 'ok') throw new DatabaseDamagedError(path, `quick_check: ${problems.join('; ')}`, dataDir);
    return found;
  } catch (err) {
    db?.close();
    db = undefined;
    for (const suffix of created) {
      if (suffix === '-shm' || (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size === 0)) rmSync(`${path}${suffix}`, { force: true });
    }
    if (err instanceof DatabaseTooNewError || err instanceof DatabaseDamagedError) throw err;
    throw new DatabaseDamagedError(path, (err as Error).message, dataDir);
  } finally {
    db?.close();
  }
}

function migrate(db: StudioDatabase, dataDir: string, migrations: Migration[], from: number): void {
  const pending = [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version > from);
  if (pending.length === 0) return;
  // a database with data in it is copied before its schema changes
  if (from > 0) takeBackup(db, dataDir, `before-v${pending[0]!.version}`);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export function schemaVersion(db: StudioDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}
