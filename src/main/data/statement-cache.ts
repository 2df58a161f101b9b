// Prepared statements reused per database: imports run the same few statements many thousand
// times, and preparing each time would cost more than running them.
import type { Statement } from 'better-sqlite3';
import type { StudioDatabase } from './database';

const caches = new WeakMap<StudioDatabase, Map<string, Statement>>();

export function prepared<P extends unknown[] | {} = unknown[], R = unknown>(db: StudioDatabase, sql: string): Statement<P, R> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt as unknown as Statement<P, R>;
}
