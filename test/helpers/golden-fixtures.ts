// nanoVLM's golden outputs (test/fixtures/{prefix,inline,split}, see its README) read from any
// fixtures folder: what the parity tests compare with, and what the GPU check carries to a
// machine without the repository (bench/check-gpu.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Family } from '../../src/main/model/config';
import { SafetensorsFile } from '../../src/main/model/safetensors';

export const FAMILIES: Family[] = ['prefix', 'inline', 'split'];
/** The learning rates the golden training step was taken with (projector, vision, language). */
export const FIXTURE_RATES = { mp: 1e-2, vision: 1e-3, language: 1e-3 };

/** One forward pass and a greedy answer, as nanoVLM's PyTorch code computed them. */
export interface InferenceCase {
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

export interface GoldenStep {
  loss: number;
  grad_norm_before_clip: number;
  loss_after_one_step: number;
}

/** One AdamW step on one sample, and (where recorded) on a left-padded batch of two. */
export interface TrainingCase {
  train_step: GoldenStep;
  train_step_batch2?: GoldenStep;
}

export function readInferenceCase(fixturesDir: string, family: Family): InferenceCase {
  const dir = join(fixturesDir, family);
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

export function readTrainingCase(fixturesDir: string, family: Family): TrainingCase {
  return JSON.parse(readFileSync(join(fixturesDir, family, 'case.json'), 'utf8')) as TrainingCase;
}
