// Damage the fault suite does to a copy of a data folder, as bad luck would: garbage over a page of
// the database, a flipped byte in a committed frame of the WAL, in a stored image, in an exported
// image, in a checkpoint's weights. Each returns what it damaged, or null when there was nothing
// of that kind to damage yet.
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE } from '../../src/main/data/database';
import { checkWal } from '../../src/main/data/wal-check';
import type { Ack } from './fault-ops';

export const DAMAGE_KINDS = ['database page', 'wal frame', 'stored image', 'exported image', 'checkpoint'] as const;
export type DamageKind = (typeof DAMAGE_KINDS)[number];

export interface Damage {
  kind: DamageKind;
  /** the file damaged */
  path: string;
  /** for an image or a checkpoint: the export or run it belongs to */
  owner?: string;
  /** the bytes before, for damage done in place (put back after the check) */
  original?: Buffer;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];

/** XORs `count` bytes at `offset`; returns the bytes as they were. */
function flip(path: string, offset: number, count = 1): Buffer {
  const original = readFileSync(path);
  const bytes = Buffer.from(original);
  for (let i = 0; i < count && offset + i < bytes.length; i++) bytes[offset + i] = bytes[offset + i]! ^ (0x5a + i);
  writeFileSync(path, bytes);
  return original;
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Garbage over one whole page past the first (the header page is SQLite's "not a database"). */
function databasePage(dataDir: string, random: Random): Damage | null {
  const path = join(dataDir, DATABASE_FILE);
  const size = statSync(path).size;
  const pages = Math.floor(size / 4096);
  if (pages < 3) return null;
  const page = 1 + Math.floor(random() * (pages - 1));
  flip(path, page * 4096, 4096);
  return { kind: 'database page', path };
}

/**
 * A flipped byte inside a committed frame of the WAL, not its last frame: damage in the last frame
 * cannot be told apart from a write cut short by the crash itself, which SQLite rightly drops.
 */
function walFrame(dataDir: string, random: Random): Damage | null {
  const path = join(dataDir, `${DATABASE_FILE}-wal`);
  if (!existsSync(path)) return null;
  const { goodFrames } = checkWal(path);
  if (goodFrames < 2) return null;
  const pageSize = readFileSync(path).readUInt32BE(8);
  const frame = Math.floor(random() * (goodFrames - 1));
  flip(path, 32 + frame * (24 + pageSize) + 24 + Math.floor(random() * pageSize));
  return { kind: 'wal frame', path };
}

function storedImage(dataDir: string, random: Random): Damage | null {
  const path = pick(random, filesUnder(join(dataDir, 'images')));
  if (!path) return null;
  flip(path, Math.floor(random() * statSync(path).size));
  return { kind: 'stored image', path };
}

function exportedImage(acks: Ack[], random: Random): Damage | null {
  const jsonl = acks.filter((a): a is Ack & { ack: 'export' } => a.ack === 'export' && 'data.jsonl' in a.files && existsSync(a.outDir));
  const chosen = pick(random, jsonl);
  const image =
    chosen &&
    pick(
      random,
      Object.keys(chosen.files).filter((f) => f.startsWith('images/')),
    );
  if (!chosen || !image) return null;
  const path = join(chosen.outDir, image);
  const original = flip(path, Math.floor(random() * statSync(path).size));
  return { kind: 'exported image', path, owner: chosen.outDir, original };
}

/** A flipped byte in the weights of the checkpoint a stopped run would resume from ("running" after a kill, until the next start says interrupted). */
function checkpoint(dataDir: string, random: Random): Damage | null {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  let runs: { id: string; checkpoints: string }[];
  try {
    runs = db
      .prepare("SELECT id, checkpoints FROM runs WHERE status IN ('running', 'interrupted', 'failed', 'cancelled') AND checkpoints != '[]'")
      .all() as typeof runs;
  } finally {
    db.close();
  }
  const chosen = pick(
    random,
    runs.filter((r) => existsSync(join((JSON.parse(r.checkpoints) as { dir: string }[]).at(-1)!.dir, 'model.safetensors'))),
  );
  if (!chosen) return null;
  const path = join((JSON.parse(chosen.checkpoints) as { dir: string }[]).at(-1)!.dir, 'model.safetensors');
  const bytes = readFileSync(path);
  const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
  const original = flip(path, headerEnd + Math.floor(random() * (bytes.length - headerEnd)));
  return { kind: 'checkpoint', path, owner: chosen.id, original };
}

/** Damages the data folder copy (and the exports and checkpoints it names) as `kind` says. */
export function damage(kind: DamageKind, dataDir: string, acks: Ack[], random: Random): Damage | null {
  switch (kind) {
    case 'database page':
      return databasePage(dataDir, random);
    case 'wal frame':
      return walFrame(dataDir, random);
    case 'stored image':
      return storedImage(dataDir, random);
    case 'exported image':
      return exportedImage(acks, random);
    case 'checkpoint':
      return checkpoint(dataDir, random);
  }
}
