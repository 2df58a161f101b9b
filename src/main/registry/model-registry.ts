// The models the studio knows: the bundled demo, Hub downloads, local folders and run
// checkpoints. Registering validates the checkpoint; removing only forgets it (files in the shared
// Hub cache, a folder of the person's, a run's checkpoints are never deleted from here).
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../shared/api';
import type { ModelInfo, ModelSource } from '../../shared/models';
import type { StudioDatabase } from '../data/database';
import { openCheckpoint } from '../model/checkpoint';
import { parameterCount } from '../model/parameters';
import { modelShapeOfFolder } from './model-shape';

interface ModelRow {
  id: string;
  name: string;
  source: ModelSource;
  reference: string;
  family: ModelInfo['family'];
  parameters: number;
  bytes_on_disk: number;
  folder: string;
  tokenizer_folder: string;
  added_at: number;
}

const toInfo = (r: ModelRow): ModelInfo =>
  withShape({
    id: r.id,
    name: r.name,
    source: r.source,
    reference: r.reference,
    family: r.family,
    parameters: r.parameters,
    bytesOnDisk: r.bytes_on_disk,
    folder: r.folder,
    tokenizerFolder: r.tokenizer_folder,
    addedAt: r.added_at,
  });

/** Shapes come from config.json, read once per folder (registering a folder again re-reads it). */
const shapeCache = new Map<string, NonNullable<ModelInfo['shape']>>();
function withShape(info: ModelInfo): ModelInfo {
  const shape = shapeCache.get(info.folder) ?? modelShapeOfFolder(info.folder);
  if (!shape) return info;
  shapeCache.set(info.folder, shape);
  return { ...info, shape };
}

export interface ModelRegistration {
  source: ModelSource;
  reference: string;
  folder: string;
  tokenizerFolder: string;
  name?: string;
}

/** A readable, stable id: the name's slug plus a short hash of where it came from. */
function modelId(source: ModelSource, reference: string, name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'model';
  const hash = createHash('sha256').update(`${source}\0${reference}`).digest('hex').slice(0, 8);
  return `${slug}-${hash}`;
}

function defaultName(source: ModelSource, reference: string): string {
  return source === 'hub' ? reference.split('/').pop()! : (reference.split(/[\\/]/).filter(Boolean).pop() ?? reference);
}

export class ModelRegistry {
  constructor(private readonly db: StudioDatabase) {}

  list(): ModelInfo[] {
    return (this.db.prepare("SELECT * FROM models ORDER BY source = 'demo' DESC, added_at DESC").all() as ModelRow[]).map(toInfo);
  }

  get(id: string): ModelInfo {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    if (!row) throw new ApiError('not_found', `no model with id "${id}"`, 'id');
    return toInfo(row);
  }

  find(source: ModelSource, reference: string): ModelInfo | undefined {
    const row = this.db.prepare('SELECT * FROM models WHERE source = ? AND reference = ?').get(source, reference) as ModelRow | undefined;
    return row && toInfo(row);
  }

  /** Validate the checkpoint and remember it (again: re-registering updates the record). */
  register(reg: ModelRegistration): ModelInfo {
    shapeCache.delete(reg.folder);
    const checkpoint = openCheckpoint(reg.folder);
    let parameters = 0;
    try {
      parameters = parameterCount(checkpoint.config);
    } finally {
      checkpoint.close();
    }
    const name = reg.name ?? defaultName(reg.source, reg.reference);
    const bytesOnDisk = ['config.json', 'model.safetensors'].reduce((sum, f) => sum + statSync(join(reg.folder, f)).size, 0);
    const row: ModelRow = {
      id: this.find(reg.source, reg.reference)?.id ?? modelId(reg.source, reg.reference, name),
      name,
      source: reg.source,
      reference: reg.reference,
      family: checkpoint.family,
      parameters,
      bytes_on_disk: bytesOnDisk,
      folder: reg.folder,
      tokenizer_folder: reg.tokenizerFolder,
      added_at: Date.now(),
    };
    this.db
      .prepare(
        `INSERT INTO models VALUES (@id, @name, @source, @reference, @family, @parameters, @bytes_on_disk, @folder, @tokenizer_folder, @added_at)
        ON CONFLICT (source, reference) DO UPDATE SET name = excluded.name, family = excluded.family, parameters = excluded.parameters,
        bytes_on_disk = excluded.bytes_on_disk, folder = excluded.folder, tokenizer_folder = excluded.tokenizer_folder`,
      )
      .run(row);
    return this.get(row.id);
  }

  remove(id: string): ModelInfo {
    const info = this.get(id);
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
    return info;
  }
}
