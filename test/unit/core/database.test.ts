// The studio database: WAL, foreign keys, numbered migrations in transactions, a newer database
// refused and left untouched.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, DatabaseTooNewError, openDatabase, schemaVersion } from '../../../src/main/data/database';
import { LATEST_SCHEMA_VERSION, type Migration } from '../../../src/main/data/migrations';
import { makeTempDir } from '../../helpers/temp-dir';

const temps: { remove(): void }[] = [];
function tempDir(): string {
  const t = makeTempDir();
  temps.push(t);
  return t.path;
}
afterEach(() => temps.splice(0).forEach((t) => t.remove()));

describe('openDatabase', () => {
  it('creates a WAL database with foreign keys at the latest schema version', () => {
    const db = openDatabase(tempDir());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('applies each migration once, in order, and re-opening applies nothing', () => {
    const dir = tempDir();
    const migrations: Migration[] = [
      { version: 2, name: 'b', sql: 'CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));' },
      { version: 1, name: 'a', sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY);' },
    ];
    openDatabase(dir, migrations).close();
    const db = openDatabase(dir, migrations);
    expect(schemaVersion(db)).toBe(2);
    expect(() => db.prepare('INSERT INTO b (a_id) VALUES (42)').run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('rolls back a failing migration and keeps the previous version', () => {
    const dir = tempDir();
    const good: Migration = { version: 1, name: 'a', sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY);' };
    openDatabase(dir, [good]).close();
    const bad: Migration = { version: 2, name: 'bad', sql: 'CREATE TABLE c (id INTEGER); THIS IS NOT SQL;' };
    expect(() => openDatabase(dir, [good, bad])).toThrow();
    const raw = new Database(join(dir, DATABASE_FILE));
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'c'").get()).toBeUndefined();
    raw.close();
  });

  it('refuses a database written by a newer version and leaves it byte for byte untouched', () => {
    const dir = tempDir();
    const path = join(dir, DATABASE_FILE);
    const raw = new Database(path);
    raw.exec('CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (1);');
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(() => openDatabase(dir)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(dir)).toThrow(/newer nanoVLM Studio \(schema version \d+; this version understands up to \d+\)/);
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
  });
});
