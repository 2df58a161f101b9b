// A damaged database is caught and never written to: at start (quick_check, a WAL that SQLite
// would truncate silently) it is refused, untouched, with its path and the way back from a
// backup; found damaged while running (the full check) it turns read-only. Backups are taken
// before migrations and daily, and a backup restores. A newer database with a pending WAL is
// refused byte for byte untouched. The instance lock is an OS lock: it dies with its process,
// whatever pid is written anywhere.
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { DATABASE_FILE, DatabaseDamagedError, DatabaseTooNewError, openDatabase } from '../../../src/main/data/database';
import { listBackups, quickCheckFile } from '../../../src/main/data/database-backups';
import { AlreadyRunningError, LOCK_FILE } from '../../../src/main/data/instance-lock';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../src/main/data/migrations';
import { REPO_ROOT } from '../../helpers/studio-server';
import { makeTempDir } from '../../helpers/temp-dir';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const t = makeTempDir('studio-db-trust-');
  cleanups.push(t.remove);
  return t.path;
}

function core(dir: string): StudioCore {
  const c = createStudioCore({ dataDir: dir, door: 'web' });
  cleanups.push(() => c.close());
  return c;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A closed studio database with enough rows to span many pages. */
async function filledStudio(dir: string, datasets = 120): Promise<void> {
  const c = createStudioCore({ dataDir: dir, door: 'web' });
  for (let i = 0; i < datasets; i++) await c.call('datasets.create', { name: `dataset ${i}`, description: 'd'.repeat(400) });
  c.close();
}

function overwrite(path: string, offset: number, bytes: number): void {
  const data = readFileSync(path);
  for (let i = 0; i < bytes; i++) data[offset + i] = (i * 131 + 7) & 255;
  writeFileSync(path, data);
}

function nanovlm(...args: string[]) {
  return spawnSync(process.execPath, ['bin/nanovlm.mjs', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
}

describe('a damaged database', () => {
  it('is refused at start with its path named, and left untouched', async () => {
    const dir = dataDir();
    await filledStudio(dir);
    const path = join(dir, DATABASE_FILE);
    overwrite(path, Math.floor(statSync(path).size / 2 / 4096) * 4096, 8192);
    const before = sha(path);
    expect(() => createStudioCore({ dataDir: dir, door: 'web' })).toThrow(DatabaseDamagedError);
    expect(() => createStudioCore({ dataDir: dir, door: 'web' })).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged \\(`));
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it.each([
    ['truncated', (p: string) => writeFileSync(p, readFileSync(p).subarray(0, 3000))],
    ['garbage header', (p: string) => overwrite(p, 0, 100)],
  ])('is refused with its path named when %s', async (_, damage) => {
    const dir = dataDir();
    await filledStudio(dir, 3);
    const path = join(dir, DATABASE_FILE);
    damage(path);
    const before = sha(path);
    const err = (() => {
      try {
        createStudioCore({ dataDir: dir, door: 'web' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(DatabaseDamagedError);
    expect(err!.message).toContain(path);
    expect(sha(path)).toBe(before);
  });

  it('is caught by the full check while the studio runs: read-only from then on, writes refused with the path, health says so', async () => {
    const dir = dataDir();
    await filledStudio(dir);
    const c = core(dir);
    expect((await c.databaseGuard.checkNow()).state).toBe('ok'); // (and takes the day's backup)
    const notices: string[] = [];
    c.events.on('studio.notice', (n) => notices.push(n.message));
    const path = join(dir, DATABASE_FILE);
    overwrite(path, Math.floor(statSync(path).size / 2 / 4096) * 4096, 8192);
    const damaged = sha(path);
    expect((await c.databaseGuard.checkNow()).state).toBe('damaged');
    const err = (await c.call('datasets.create', { name: 'after the damage' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain(`${path} is damaged`);
    expect(err.message).toContain('nanovlm database restore');
    const health = (await c.call('system.health', {})) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(health.ok).toBe(false);
    expect(health.checks.find((h) => h.name === 'database')!.detail).toContain(path);
    expect(notices.some((n) => n.includes(path))).toBe(true);
    c.close();
    expect(sha(path)).toBe(damaged);
  });

  it('is refused when committed frames in the middle of its WAL are damaged (SQLite would drop them silently)', async () => {
    const dir = dataDir();
    await filledStudio(dir, 3);
    // a WAL with several committed transactions, kept as a crash would leave it
    const writer = new Database(join(dir, DATABASE_FILE));
    writer.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 8; i++) writer.prepare('INSERT INTO app_meta (key, value) VALUES (?, ?)').run(`k${i}`, 'v'.repeat(3000));
    const crashed = dataDir();
    for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`]) copyFileSync(join(dir, f), join(crashed, f));
    writer.close();
    const wal = join(crashed, `${DATABASE_FILE}-wal`);
    const pageSize = readFileSync(wal).readUInt32BE(8);
    overwrite(wal, 32 + 2 * (24 + pageSize) + 24 + 100, 16);
    const before = [sha(join(crashed, DATABASE_FILE)), sha(wal)];
    expect(() => openDatabase(crashed)).toThrow(new RegExp(`${wal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged \\(its log frame 3`));
    expect([sha(join(crashed, DATABASE_FILE)), sha(wal)]).toEqual(before);
    expect(existsSync(`${join(crashed, DATABASE_FILE)}-shm`)).toBe(false);
  });
});

describe('a newer database with a pending WAL', () => {
  it('is refused without being checkpointed: the database and its WAL stay byte for byte', () => {
    const dir = dataDir();
    const writer = new Database(join(dir, 'source.db'));
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE future (x TEXT)');
    writer.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
    writer.prepare('INSERT INTO future VALUES (?)').run('from a newer studio');
    const crashed = dataDir();
    copyFileSync(join(dir, 'source.db'), join(crashed, DATABASE_FILE));
    copyFileSync(join(dir, 'source.db-wal'), join(crashed, `${DATABASE_FILE}-wal`));
    writer.close();
    const path = join(crashed, DATABASE_FILE);
    const before = [sha(path), sha(`${path}-wal`)];
    expect(() => openDatabase(crashed)).toThrow(DatabaseTooNewError);
    expect([sha(path), sha(`${path}-wal`)]).toEqual(before);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });
});

describe('backups', () => {
  it('are taken before a migration, as a checked copy at the old version', () => {
    const dir = dataDir();
    openDatabase(dir, MIGRATIONS.slice(0, 6)).close();
    const db = openDatabase(dir);
    db.close();
    const [backup] = listBackups(dir);
    expect(backup!.reason).toBe(`before-v7`);
    expect(quickCheckFile(backup!.path)).toBe('ok');
    const copy = new Database(backup!.path, { readonly: true });
    expect(copy.pragma('user_version', { simple: true })).toBe(6);
    copy.close();
  });

  it('are taken daily by the background check, and restore a damaged database with the damaged files kept aside', async () => {
    const dir = dataDir();
    const c = createStudioCore({ dataDir: dir, door: 'web' });
    await c.call('datasets.create', { name: 'kept by the backup' });
    const health = await c.databaseGuard.checkNow();
    expect(health.state).toBe('ok');
    expect(health.lastBackup?.reason).toBe('daily');
    c.close();
    const path = join(dir, DATABASE_FILE);
    overwrite(path, 0, 100);
    expect(() => createStudioCore({ dataDir: dir, door: 'web' })).toThrow(/nanovlm database restore --data-dir/);
    const check = nanovlm('database', 'check', '--data-dir', dir);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`${path} is damaged`);
    const restore = nanovlm('database', 'restore', '--data-dir', dir);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/Restored .*daily\.db .*changes made after it are not in it/);
    expect(readdirSync(join(dir, 'damaged')).some((f) => f.endsWith('.db'))).toBe(true);
    const back = core(dir);
    expect(((await back.call('datasets.list', {})) as { name: string }[]).map((d) => d.name)).toEqual(['kept by the backup']);
  });
});

describe('the instance lock', () => {
  function holdLock(dir: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'test/helpers/hold-lock-child.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    return new Promise((resolveChild, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolveChild(child));
      child.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
    });
  }

  it('is not kept by a dead studio whose pid now belongs to another process', () => {
    const dir = dataDir();
    // an old-style lock file naming a live process that is not a studio (pids are reused)
    const other = spawn('sleep', ['30']);
    cleanups.push(() => other.kill('SIGKILL'));
    writeFileSync(join(dir, LOCK_FILE), String(other.pid));
    expect(() => core(dir)).not.toThrow();
  });

  it('names a live holder, and is free the moment the holder is killed', async () => {
    const dir = dataDir();
    const holder = await holdLock(dir);
    let err: unknown;
    try {
      createStudioCore({ dataDir: dir, door: 'web' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AlreadyRunningError);
    expect((err as AlreadyRunningError).pid).toBe(holder.pid);
    const exited = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await exited;
    expect(() => core(dir)).not.toThrow();
  });
});
