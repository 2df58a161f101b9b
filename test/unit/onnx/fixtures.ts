// The golden fixtures (test/fixtures/{prefix,inline,split}) as the ONNX tests use them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Family } from '../../../src/main/model/config';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { exportOnnx } from '../../../src/main/onnx/export';
import type { ExportOptions } from '../../../src/main/onnx/export-options';
import { FIXTURES_DIR } from '../../helpers/fixture-paths';
import { readInferenceCase, type InferenceCase } from '../../helpers/golden-fixtures';

export { FAMILIES } from '../../helpers/golden-fixtures';

export const FIXTURES = FIXTURES_DIR;

export type Fixture = InferenceCase;

export function loadFixture(family: Family): Fixture {
  return readInferenceCase(FIXTURES, family);
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
