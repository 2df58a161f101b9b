// Exported Parquet read by an independent reader, DuckDB: the_cauldron schema exactly (images as
// list<struct<bytes, path>>, texts as list<struct<user, assistant>>), every row and image intact.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir, tempStore } from '../../helpers/data-fixtures';

const DEMO_DATA = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-data', 'demo.jsonl');
const fixture = tempStore();
const out = tempDir('parquet-duckdb-');
afterAll(() => {
  fixture.close();
  out.remove();
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

let datasetId: number;
beforeAll(async () => {
  datasetId = fixture.store.createDataset('shapes').id;
  await fixture.store.importPath(datasetId, DEMO_DATA);
  await fixture.store.exportDataset(datasetId, out.path, 'parquet');
}, 60_000);

it('has the_cauldron schema', async () => {
  const columns = await query(`DESCRIBE SELECT * FROM read_parquet('${join(out.path, 'data', 'train-00000-of-00001.parquet')}')`);
  expect(columns.map((c) => [c.column_name, c.column_type])).toEqual([
    ['images', 'STRUCT(bytes BLOB, path VARCHAR)[]'],
    ['texts', 'STRUCT("user" VARCHAR, assistant VARCHAR)[]'],
  ]);
});

it('holds every sample of each split with its texts and image bytes', async () => {
  const rows = readFileSync(DEMO_DATA, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { split: string; texts: { user: string; assistant: string }[] });
  for (const [split, file] of [
    ['train', 'train'],
    ['val', 'validation'],
  ] as const) {
    const got = await query(
      `SELECT texts[1].user AS q, texts[1].assistant AS a, octet_length(images[1].bytes) AS n FROM read_parquet('${join(out.path, 'data', `${file}-00000-of-00001.parquet`)}')`,
    );
    const expected = rows.filter((r) => r.split === split).map((r) => `${r.texts[0]!.user}|${r.texts[0]!.assistant}`);
    expect(got.map((r) => `${r.q}|${r.a}`).sort()).toEqual(expected.sort());
    for (const r of got) expect(Number(r.n)).toBeGreaterThan(100);
  }
});

it('keeps the Hub’s feature metadata (images are Images for `datasets`)', async () => {
  const meta = await query(
    `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${join(out.path, 'data', 'train-00000-of-00001.parquet')}')`,
  );
  const hf = meta.find((m) => m.key === 'huggingface');
  expect(JSON.parse(String(hf!.value)).info.features.images.feature._type).toBe('Image');
});
