// Automatic backups of the studio database, and restoring one. A backup is a consistent copy made
// by SQLite from a read transaction (VACUUM INTO: it runs beside writers, and the copy is compact
// and has no WAL), checked with quick_check before it is renamed into backups/. One is taken before
// each migration and one a day; the newest few of each kind are kept. Restoring moves the damaged
// files aside (never deletes them) and puts a copy of the backup in their place.
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BACKUP_DIR = 'backups';
export const DAMAGED_DIR = 'damaged';
const KEEP = { daily: 3, migration: 2 } as const;
const NAME = /^studio-(\d{8}T\d{6}Z)-(daily|before-v\d+)\.db$/;

export type BackupReason = 'daily' | `before-v${number}`;

export interface BackupInfo {
  path: string;
  /** when it was taken (ms since the epoch) */
  takenAt: number;
  reason: BackupReason;
  bytes: number;
}

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

function parseStamp(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Backups in the data folder, newest first. */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = join(dataDir, BACKUP_DIR);
  if (!existsSync(dir)) return [];
  const backups: BackupInfo[] = [];
  for (const name of readdirSync(dir)) {
    const m = NAME.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    backups.push({ path, takenAt: parseStamp(m[1]!), reason: m[2] as BackupReason, bytes: statSync(path).size });
  }
  return backups.sort((a, b) => b.takenAt - a.takenAt || b.path.localeCompare(a.path));
}

/** "ok", or SQLite's first complaints about the file. */
export function quickCheckFile(path: string): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
    return rows.map((r) => r.quick_check).join('; ');
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}

/**
 * Copies the database open in `db` (any connection, read-only is enough) into backups/. Returns
 * the backup; throws if the copy does not pass quick_check (and leaves nothing behind).
 */
export function takeBackup(db: Database.Database, dataDir: string, reason: BackupReason, now = Date.now()): BackupInfo {
  const dir = join(dataDir, BACKUP_DIR);
  mkdirSync(dir, { recursive: true });
  const name = `studio-${stamp(now)}-${reason}.db`;
  const target = join(dir, name);
  const partial = join(dir, `.${name}.partial`);
  rmSync(partial, { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    const check = quickCheckFile(partial);
    if (check !== 'ok') throw new Error(`the backup copy failed its check (${check})`);
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  prune(dataDir);
  return { path: target, takenAt: parseStamp(stamp(now)), reason, bytes: statSync(target).size };
}

function prune(dataDir: string): void {
  const backups = listBackups(dataDir);
  const daily = backups.filter((b) => b.reason === 'daily');
  const migration = backups.filter((b) => b.reason !== 'daily');
  for (const b of [...daily.slice(KEEP.daily), ...migration.slice(KEEP.migration)]) rmSync(b.path, { force: true });
}

export interface RestoreResult {
  restored: BackupInfo;
  /** where the replaced database files were moved */
  keptAside: string[];
}

/**
 * Replaces the database with a backup (the newest that passes quick_check, unless one is named).
 * The studio must not be running (the caller holds the instance lock).
 */
export function restoreBackup(dataDir: string, databaseFile: string, chosen?: string): RestoreResult {
  const candidates = chosen ? [{ ...describe(chosen) }] : listBackups(dataDir);
  const backup = candidates.find((b) => quickCheckFile(b.path) === 'ok');
  if (!backup) {
    throw new Error(chosen ? `${chosen} is not a usable backup (${quickCheckFile(chosen)})` : `no usable backup in ${join(dataDir, BACKUP_DIR)}`);
  }
  const live = join(dataDir, databaseFile);
  const aside = join(dataDir, DAMAGED_DIR);
  mkdirSync(aside, { recursive: true });
  const keptAside: string[] = [];
  const when = stamp(Date.now());
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(live + suffix)) continue;
    const to = join(aside, `${databaseFile.replace(/\.db$/, '')}-${when}.db${suffix}`);
    renameSync(live + suffix, to);
    keptAside.push(to);
  }
  const partial = `${live}.restoring`;
  copyFileSync(backup.path, partial);
  const fd = openSync(partial, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, live);
  return { restored: backup, keptAside };
}

function describe(path: string): BackupInfo {
  const m = NAME.exec(path.split(/[\\/]/).pop() ?? '');
  return { path, takenAt: m ? parseStamp(m[1]!) : statSync(path).mtimeMs, reason: (m?.[2] ?? 'daily') as BackupReason, bytes: statSync(path).size };
}
