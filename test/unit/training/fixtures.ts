// The golden fixtures (test/fixtures): nanoVLM's PyTorch training step on tiny models.
import { join } from 'node:path';
import type { Family } from '../../../src/main/model/config';
import { FIXTURES_DIR } from '../../helpers/fixture-paths';
import { readTrainingCase, type TrainingCase } from '../../helpers/golden-fixtures';

export { FAMILIES, FIXTURE_RATES, type GoldenStep, type TrainingCase as GoldenCase } from '../../helpers/golden-fixtures';
export const FIXTURES = FIXTURES_DIR;

export const fixtureDir = (family: Family): string => join(FIXTURES, family);
export const expectedFile = (family: Family): string => join(fixtureDir(family), 'expected.safetensors');

export function goldenCase(family: Family): TrainingCase {
  return readTrainingCase(FIXTURES, family);
}
