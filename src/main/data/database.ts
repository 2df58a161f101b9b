// The studio's SQLite database: WAL, foreign keys on, migrations by user_version, each applied in a
// transaction. A database written by a newer studio is refused and left untouched.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';
import { maxOf } from '../../shared/array-utils';

export type StudioDatabase = Database.Database;

export const DATABASE_FILE = 'studio.db';

export class DatabaseTooNewError extends Error {
  constructor(readonly path: string, readonly found: number, readonly supported: number) {
    super(`${path} was written by a newer nanoVLM Studio (schema version ${found}; this version understands up to ${supported}). Update the studio; the database was left untouched.`);
    this.name = 'DatabaseTooNewError';
  }
}

export function openDatabase(dataDir: string, migrations: Migration[] = MIGRATIONS): StudioDatabase {
  const path = join(dataDir, DATABASE_FILE);
  const db = new Database(path);
  try {
    // Read the version before anything writes (journal mode included).
    const found = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations === MIGRATIONS ? LATEST_SCHEMA_VERSION : maxOf(migrations.map((m) => m.version), 0);
    if (found > latest) throw new DatabaseTooNewError(path, found, latest);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations, found);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: StudioDatabase, migrations: Migration[], from: number): void {
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= from) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

export function schemaVersion(db: StudioDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}
