// nanovlm database restore [--backup FILE] [--data-dir DIR]
import { mkdirSync } from 'node:fs';
import { defaultDataFolder } from '../../data/data-folder';
import { DATABASE_FILE } from '../../data/database';
import { restoreBackup } from '../../data/database-backups';
import { acquireInstanceLock } from '../../data/instance-lock';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  name: 'database restore',
  summary: 'replace a damaged studio database with an automatic backup',
  usage: [
    'Usage: nanovlm database restore [--backup FILE] [--data-dir DIR]',
    '',
    'Puts a backup in place of the database of the data folder (default $NANOVLM_STUDIO_HOME): the',
    'newest automatic backup that passes quick_check, or FILE. The replaced database files are moved',
    'to <data folder>/damaged/, never deleted. Changes made after the backup was taken are not in it.',
    'The studio must be closed.',
  ].join('\n'),
  options: { backup: { type: 'string' }, 'data-dir': { type: 'string' } },
  async run(args, io) {
    const dataDir = (args.values['data-dir'] as string | undefined) ?? defaultDataFolder();
    mkdirSync(dataDir, { recursive: true });
    const lock = acquireInstanceLock(dataDir);
    try {
      const result = restoreBackup(dataDir, DATABASE_FILE, args.values.backup as string | undefined);
      io.out(`Restored ${result.restored.path} (taken ${new Date(result.restored.takenAt).toISOString()}); changes made after it are not in it.\n`);
      if (result.keptAside.length) io.out(`The replaced files were kept:\n${result.keptAside.map((p) => `  ${p}\n`).join('')}`);
      return 0;
    } finally {
      lock.release();
    }
  },
};
