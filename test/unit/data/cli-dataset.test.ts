// The dataset commands, run through the real CLI entry on a temp data folder.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../../src/main/cli/index';
import { PHOTOS, tempDir } from '../../helpers/data-fixtures';

let work: { path: string; remove: () => void };
const previousHome = process.env.NANOVLM_STUDIO_HOME;

beforeAll(() => {
  work = tempDir('nanovlm-cli-');
  process.env.NANOVLM_STUDIO_HOME = join(work.path, 'home');
});
afterAll(() => {
  if (previousHome === undefined) delete process.env.NANOVLM_STUDIO_HOME;
  else process.env.NANOVLM_STUDIO_HOME = previousHome;
  work.remove();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

it('imports, lists and exports datasets', async () => {
  const folder = join(work.path, 'photos');
  mkdirSync(folder);
  for (const f of ['chelsea.png', 'rocket.jpg', 'truncated.jpg']) copyFileSync(join(PHOTOS, f), join(folder, f));
  writeFileSync(join(folder, 'chelsea.txt'), 'A cat.');
  writeFileSync(join(folder, 'readme.md'), '# photos');

  const imported = await run('dataset', 'import', folder, '--name', 'pets');
  expect(imported.code).toBe(0);
  expect(imported.out).toMatch(/2 sample\(s\) imported, 2 skipped/);
  expect(imported.out).toContain('  readme.md: not an image file');
  expect(imported.out).toMatch(/ {2}truncated\.jpg: corrupt/);

  const listed = await run('dataset', 'list', '--json');
  expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ name: 'pets', samples: 2 })]);
  expect((await run('dataset', 'list')).out).toMatch(/pets\s+2\s+2\s+0\s+0/);

  const out = join(work.path, 'export');
  const exported = await run('dataset', 'export', 'pets', '--format', 'parquet', '--out', out);
  expect(exported.code).toBe(0);
  expect(exported.out).toMatch(/Exported 1 sample/);
  expect(exported.out).toMatch(/no question or answer yet/);
  expect(existsSync(join(out, 'data', 'train-00000-of-00001.parquet'))).toBe(true);
  expect((await run('dataset', 'export', 'pets', '--format', 'jsonl', '--out', out)).code).toBe(0);
  expect(existsSync(join(out, 'data.jsonl'))).toBe(true);

  expect((await run('dataset', 'export', 'nope', '--format', 'jsonl', '--out', out)).err).toMatch(/no dataset named "nope"/);
  expect((await run('dataset', 'export', 'pets', '--format', 'xml', '--out', out)).code).toBe(2);
  expect((await run('dataset', 'import', folder)).err).toMatch(/--name is required/);
});

it('says what to do when the studio has the data folder open', async () => {
  const { createStudioCore } = await import('../../../src/main/core/studio-core');
  const core = createStudioCore({ dataDir: process.env.NANOVLM_STUDIO_HOME!, door: 'web' });
  try {
    const folder = join(work.path, 'more-photos');
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(PHOTOS, 'coffee.png'), join(folder, 'coffee.png'));
    const refused = await run('dataset', 'import', folder, '--name', 'pets');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/nanoVLM Studio \(pid \d+\) has the data folder .* open/);
    expect(refused.err).toMatch(/While the studio runs, import in it \(Datasets → a dataset → Import/);
  } finally {
    core.close();
  }
});
