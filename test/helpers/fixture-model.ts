// A copy of a golden fixture checkpoint with the byte-level tokenizer beside it: a complete local
// model folder (nothing to fetch from the Hub).
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeByteTokenizer } from '../../src/main/model/byte-tokenizer';
import { fixtureDir } from './fixture-paths';

export function fixtureModelFolder(family: 'prefix' | 'inline' | 'split'): string {
  const folder = mkdtempSync(join(tmpdir(), `fixture-model-${family}-`));
  for (const file of ['config.json', 'model.safetensors']) copyFileSync(join(fixtureDir(family), file), join(folder, file));
  writeByteTokenizer(folder);
  return folder;
}
