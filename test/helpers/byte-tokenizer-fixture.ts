// The byte-level test tokenizer with a golden fixture's config (its extra tokens appended at 256+).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeByteTokenizer } from '../../src/main/model/byte-tokenizer';
import { parseConfig, type Family, type ModelSpec } from '../../src/main/model/config';
import { NanoVLMTokenizer } from '../../src/main/model/tokenizer';
import { FIXTURES_DIR } from './fixture-paths';

export { FIXTURES_DIR };

let folder: string | undefined;

/** A folder holding the byte tokenizer's files, written once per test process. */
export function byteTokenizerFolder(): string {
  if (folder === undefined) {
    folder = mkdtempSync(join(tmpdir(), 'byte-tokenizer-'));
    writeByteTokenizer(folder);
  }
  return folder;
}

export function fixtureSpec(family: Family): ModelSpec {
  const raw = JSON.parse(readFileSync(join(FIXTURES_DIR, family, 'config.json'), 'utf8')) as Record<string, unknown>;
  return parseConfig(raw, `${family}/config.json`);
}

export function fixtureTokenizer(family: Family): { spec: ModelSpec; tokenizer: NanoVLMTokenizer } {
  const spec = fixtureSpec(family);
  return { spec, tokenizer: NanoVLMTokenizer.fromFolder(byteTokenizerFolder(), spec.config) };
}
