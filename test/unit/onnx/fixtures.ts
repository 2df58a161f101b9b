// The golden fixtures (test/fixtures/{prefix,inline,split}) as the ONNX tests use them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Family } from '../../../src/main/model/config';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { exportOnnx } from '../../../src/main/onnx/export';
import type { ExportOptions } from '../../../src/main/onnx/export-options';
import { FIXTURES_DIR } from '../../helpers/fixture-paths';

export const FIXTURES = FIXTURES_DIR;
export const FAMILIES: Family[] = ['prefix', 'inline', 'split'];

export interface Fixture {
  family: Family;
  dir: string;
  inputIds: number[];
  pixels: Float32Array;
  tiles: number;
  visionOut: Float32Array;
  mpOut: Float32Array;
  logits: Float32Array;
  greedyIds: number[];
  eosTokenId: number;
}

export function loadFixture(family: Family): Fixture {
  const dir = join(FIXTURES, family);
  const expected = SafetensorsFile.open(join(dir, 'expected.safetensors'));
  try {
    const caseJson = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { greedy_ids: number[]; eos_token_id: number };
    return {
      family,
      dir,
      inputIds: expected.readInts('input_ids'),
      pixels: expected.readFloat32('pixel_values'),
      tiles: expected.info('pixel_values').shape[0]!,
      visionOut: expected.readFloat32('vision_out'),
      mpOut: expected.readFloat32('mp_out'),
      logits: expected.readFloat32('logits'),
      greedyIds: caseJson.greedy_ids,
      eosTokenId: caseJson.eos_token_id,
    };
  } finally {
    expected.close();
  }
}

/** Export a fixture's checkpoint into a fresh temporary folder. */
export function exportFixture(family: Family, options: Partial<ExportOptions>): string {
  const out = mkdtempSync(join(tmpdir(), `nanovlm-onnx-${family}-`));
  const checkpoint = openCheckpoint(join(FIXTURES, family));
  try {
    exportOnnx(checkpoint, out, options);
  } finally {
    checkpoint.close();
  }
  return out;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export { maxAbsDiff } from '../../../src/main/util/compare';
