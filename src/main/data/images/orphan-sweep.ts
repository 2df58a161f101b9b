// Removes image-store files that no database row names: what an import killed between writing an
// image and committing its row left behind (and half-written .tmp files). Only files older than
// the given time are touched, so the sweep can run beside new imports, whose files are newer.
// It walks the store a folder at a time and yields between folders: it never holds the event loop.
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { StudioDatabase } from '../database';
import { prepared } from '../statement-cache';

export interface SweepResult {
  files: number;
  bytes: number;
}

const SHARD = /^[0-9a-f]{2}$/;

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Files under images/ and thumbnails/ older than `before` (ms) without an images row, removed. */
export async function sweepOrphanFiles(db: StudioDatabase, dataDir: string, before: number): Promise<SweepResult> {
  const result: SweepResult = { files: 0, bytes: 0 };
  const known = prepared<[string], { id: string }>(db, 'SELECT id FROM images WHERE id = ?');
  for (const [folder, idOf] of [
    ['images', (shard: string, name: string) => shard + name],
    ['thumbnails', (shard: string, name: string) => shard + name.replace(/\.webp$/, '')],
  ] as const) {
    for (const shard of await entries(join(dataDir, folder))) {
      if (!shard.isDirectory() || !SHARD.test(shard.name)) continue;
      await setImmediate();
      if (!db.open) return result;
      for (const file of await entries(join(dataDir, folder, shard.name))) {
        if (!file.isFile()) continue;
        const id = idOf(shard.name, file.name);
        const orphan = file.name.endsWith('.tmp') || !/^[0-9a-f]{64}$/.test(id) || !known.get(id);
        if (!orphan) continue;
        const path = join(dataDir, folder, shard.name, file.name);
        const info = await stat(path).catch(() => undefined);
        if (!info || info.mtimeMs >= before) continue;
        await rm(path, { force: true });
        result.files++;
        result.bytes += info.size;
      }
    }
  }
  return result;
}
