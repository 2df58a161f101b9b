// The golden fixtures (test/fixtures): nanoVLM's PyTorch training step on tiny models.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../../../src/main/model/config';
import { FIXTURES_DIR } from '../../helpers/fixture-paths';

export const FIXTURES = FIXTURES_DIR;
export const FAMILIES: Family[] = ['prefix', 'inline', 'split'];
export const FIXTURE_RATES = { mp: 1e-2, vision: 1e-3, language: 1e-3 };

export interface GoldenStep {
  loss: number;
  grad_norm_before_clip: number;
  loss_after_one_step: number;
}

export interface GoldenCase {
  train_step: GoldenStep;
  train_step_batch2?: GoldenStep;
}

export const fixtureDir = (family: Family): string => join(FIXTURES, family);
export const expectedFile = (family: Family): string => join(fixtureDir(family), 'expected.safetensors');

export function goldenCase(family: Family): GoldenCase {
  return JSON.parse(readFileSync(join(fixtureDir(family), 'case.json'), 'utf8')) as GoldenCase;
}
