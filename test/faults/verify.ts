// The fault suite's checks of a data folder after a restart, made from outside the studio (a
// read-only connection and the files): the database passes integrity_check; every sample,
// version, export and checkpoint the studio acknowledged is there and byte-identical; and nothing
// half-written is visible (no staging folders, no image files without a row, every export and
// checkpoint folder complete, no job or run still marked running).
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { versionHash, type VersionSample } from '../../src/main/data/dataset-versions';
import { DATABASE_FILE } from '../../src/main/data/database';
import { imageFilePath } from '../../src/main/data/images/image-id';
import type { Ack } from './fault-ops';

export interface Verdict {
  /** acknowledged things missing or changed */
  lost: string[];
  /** half-written things visible */
  halfWritten: string[];
  /** anything else wrong (integrity, stray state) */
  problems: string[];
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sourceRows = new Map<string, { image: string; user: string; assistant: string }[]>();

function rowsOf(source: string): { image: string; user: string; assistant: string }[] {
  let rows = sourceRows.get(source);
  if (!rows) {
    rows = readFileSync(source, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const r = JSON.parse(l) as { images: string[]; texts: { user: string; assistant: string }[] };
        return { image: sha(readFileSync(join(source, '..', r.images[0]!))), user: r.texts[0]!.user, assistant: r.texts[0]!.assistant };
      });
    sourceRows.set(source, rows);
  }
  return rows;
}

function hashTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else files[`${prefix}${name}`] = sha(readFileSync(path));
    }
  };
  walk(root, '');
  return files;
}

/** The newest ack of each kind of thing (imports grow; the latest count is the promise). */
export function latestAcks(acks: Ack[]): Ack[] {
  const imports = new Map<string, Ack & { ack: 'import' }>();
  const rest: Ack[] = [];
  for (const a of acks) {
    if (a.ack === 'import') {
      const key = `${a.dataset}\u0000${a.source}`;
      if ((imports.get(key)?.rows ?? -1) < a.rows) imports.set(key, a);
    } else {
      rest.push(a);
    }
  }
  return [...imports.values(), ...rest];
}

function checkAcks(db: Database.Database, dataDir: string, acks: Ack[], v: Verdict): void {
  const datasetId = db.prepare('SELECT id FROM datasets WHERE name = ?');
  const sampleAt = db.prepare(
    `SELECT s.turns, (SELECT image_id FROM sample_images WHERE sample_id = s.id AND position = 0) AS image
     FROM samples s WHERE s.dataset_id = ? AND s.source = ? AND s.deleted_at IS NULL`,
  );
  for (const a of latestAcks(acks)) {
    switch (a.ack) {
      case 'import': {
        const ds = datasetId.get(a.dataset) as { id: number } | undefined;
        if (!ds) {
          v.lost.push(`dataset ${a.dataset} (${a.rows} rows acknowledged)`);
          break;
        }
        const rows = rowsOf(a.source);
        for (let i = 0; i < a.rows; i++) {
          const where = `${basename(a.source)}:line ${i + 1}`;
          const found = sampleAt.all(ds.id, where) as { turns: string; image: string | null }[];
          const want = rows[i]!;
          const same = found.some((s) => {
            const [t] = JSON.parse(s.turns) as { user: string; assistant: string }[];
            return s.image === want.image && t?.user === want.user && t?.assistant === want.assistant;
          });
          if (!same) v.lost.push(`${a.dataset}: ${where}`);
          else if (!existsSync(imageFilePath(dataDir, want.image)) || sha(readFileSync(imageFilePath(dataDir, want.image))) !== want.image)
            v.lost.push(`${a.dataset}: ${where} (image file)`);
        }
        break;
      }
      case 'version': {
        const row = db.prepare('SELECT content_hash, sample_count FROM dataset_versions WHERE id = ?').get(a.versionId) as
          { content_hash: string; sample_count: number } | undefined;
        if (!row || row.content_hash !== a.contentHash || row.sample_count !== a.sampleCount) {
          v.lost.push(`version ${a.versionId}`);
          break;
        }
        const samples = (
          db.prepare('SELECT sample_id, split, image_ids, texts FROM dataset_version_samples WHERE version_id = ? ORDER BY position').all(a.versionId) as {
            sample_id: number;
            split: VersionSample['split'];
            image_ids: string;
            texts: string;
          }[]
        ).map((r) => ({
          sampleId: r.sample_id,
          split: r.split,
          imageIds: JSON.parse(r.image_ids) as string[],
          texts: JSON.parse(r.texts) as VersionSample['texts'],
        }));
        if (versionHash(samples) !== a.contentHash) v.lost.push(`version ${a.versionId} (its samples)`);
        break;
      }
      case 'export':
      case 'checkpoint': {
        const root = a.ack === 'export' ? a.outDir : a.dir;
        const now = existsSync(root) ? hashTree(root) : {};
        for (const [file, hash] of Object.entries(a.files)) if (now[file] !== hash) v.lost.push(`${a.ack} ${join(root, file)}`);
        break;
      }
      default:
        break;
    }
  }
}

/** Every export folder under `exportsRoot` is whole: no staging folder, every data file readable, every image it names there and intact. */
async function checkExports(exportsRoot: string, v: Verdict): Promise<void> {
  if (!existsSync(exportsRoot)) return;
  for (const name of readdirSync(exportsRoot)) {
    const dir = join(exportsRoot, name);
    if (name.includes('.partial')) {
      v.halfWritten.push(dir);
      continue;
    }
    for (const inner of readdirSync(dir)) if (inner.includes('.partial')) v.halfWritten.push(join(dir, inner));
    if (existsSync(join(dir, 'data.jsonl'))) {
      for (const [i, line] of readFileSync(join(dir, 'data.jsonl'), 'utf8').trim().split('\n').entries()) {
        try {
          const row = JSON.parse(line) as { images: string[] };
          for (const image of row.images) {
            const path = join(dir, image);
            if (!existsSync(path) || sha(readFileSync(path)) !== basename(image).split('.')[0])
              v.halfWritten.push(`${path} (named by ${dir}/data.jsonl:${i + 1})`);
          }
        } catch {
          v.halfWritten.push(`${dir}/data.jsonl:${i + 1} (not whole)`);
        }
      }
    }
    if (existsSync(join(dir, 'data'))) {
      for (const file of readdirSync(join(dir, 'data'))) {
        try {
          const buffer = await asyncBufferFromFile(join(dir, 'data', file));
          const metadata = await parquetMetadataAsync(buffer);
          await parquetReadObjects({ file: buffer, metadata, compressors });
        } catch (err) {
          v.halfWritten.push(`${join(dir, 'data', file)} (${(err as Error).message})`);
        }
      }
    }
  }
}

function checkImageStore(db: Database.Database, dataDir: string, v: Verdict): void {
  const known = db.prepare('SELECT 1 FROM images WHERE id = ?');
  const root = join(dataDir, 'images');
  if (existsSync(root)) {
    for (const shard of readdirSync(root)) {
      for (const name of readdirSync(join(root, shard))) if (!known.get(shard + name)) v.halfWritten.push(`images/${shard}/${name} (no row names it)`);
    }
  }
  for (const { id } of db.prepare('SELECT id FROM images').all() as { id: string }[]) {
    const path = imageFilePath(dataDir, id);
    if (!existsSync(path)) v.problems.push(`image ${id}: its file is missing`);
  }
}

function checkRuns(db: Database.Database, v: Verdict): void {
  for (const run of db.prepare('SELECT id, status, folder, checkpoints FROM runs').all() as {
    id: string;
    status: string;
    folder: string;
    checkpoints: string;
  }[]) {
    if (run.status === 'running') v.problems.push(`run ${run.id} still marked running after a restart`);
    for (const c of JSON.parse(run.checkpoints) as { dir: string }[]) {
      for (const file of ['config.json', 'model.safetensors']) if (!existsSync(join(c.dir, file))) v.halfWritten.push(`${c.dir}/${file} missing`);
    }
    const folder = join(run.folder, 'checkpoints');
    if (existsSync(folder))
      for (const name of readdirSync(folder)) if (name.includes('.partial') || name.endsWith('.old')) v.halfWritten.push(join(folder, name));
  }
}

/** All checks of a data folder the studio has just restarted on (and is idle in). */
export async function verifyDataFolder(dataDir: string, exportsRoot: string, acks: Ack[]): Promise<Verdict> {
  const v: Verdict = { lost: [], halfWritten: [], problems: [] };
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (integrity.join() !== 'ok') v.problems.push(`integrity_check: ${integrity.slice(0, 3).join('; ')}`);
    const fk = db.pragma('foreign_key_check') as unknown[];
    if (fk.length) v.problems.push(`foreign_key_check: ${fk.length} row(s)`);
    const running = (db.prepare("SELECT count(*) AS n FROM job_journal WHERE status = 'running'").get() as { n: number }).n;
    if (running) v.problems.push(`${running} job(s) still marked running after a restart`);
    checkAcks(db, dataDir, acks, v);
    checkImageStore(db, dataDir, v);
    checkRuns(db, v);
  } finally {
    db.close();
  }
  await checkExports(exportsRoot, v);
  return v;
}
