// nanovlm database check [--data-dir DIR]
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataFolder } from '../../data/data-folder';
import { DATABASE_FILE, DatabaseDamagedError, DatabaseTooNewError, inspectDatabase } from '../../data/database';
import { listBackups } from '../../data/database-backups';
import { LATEST_SCHEMA_VERSION } from '../../data/migrations';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  name: 'database check',
  summary: 'check the studio database (quick_check, the WAL, integrity_check) and list its backups',
  usage: [
    'Usage: nanovlm database check [--data-dir DIR]',
    '',
    'Checks the database of the data folder (default $NANOVLM_STUDIO_HOME) without writing to it:',
    "SQLite's quick_check, the WAL for damaged frames that SQLite would drop silently, then the full",
    'integrity_check. Lists the automatic backups. Exit code 0 when the database is sound, 1 when not.',
  ].join('\n'),
  options: { 'data-dir': { type: 'string' } },
  async run(args, io) {
    const dataDir = (args.values['data-dir'] as string | undefined) ?? defaultDataFolder();
    const path = join(dataDir, DATABASE_FILE);
    if (!existsSync(path)) throw new Error(`no studio database at ${path}`);
    let sound = true;
    try {
      const version = inspectDatabase(dataDir, path, LATEST_SCHEMA_VERSION);
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const problems = (db.pragma('integrity_check(20)') as { integrity_check: string }[]).map((r) => r.integrity_check);
        sound = problems.join() === 'ok';
        io.out(
          sound
            ? `${path}: sound (schema version ${version}; quick_check, WAL and integrity_check passed)\n`
            : `${path} is damaged: integrity_check: ${problems.join('; ')}\n`,
        );
      } finally {
        db.close();
      }
    } catch (err) {
      if (!(err instanceof DatabaseDamagedError || err instanceof DatabaseTooNewError)) throw err;
      sound = false;
      io.out(`${err.message}\n`);
    }
    const backups = listBackups(dataDir);
    io.out(
      backups.length
        ? `Backups (newest first):\n${backups.map((b) => `  ${b.path}  ${new Date(b.takenAt).toISOString()}  ${b.reason}  ${b.bytes} bytes\n`).join('')}`
        : 'No backups yet.\n',
    );
    return sound ? 0 : 1;
  },
};
