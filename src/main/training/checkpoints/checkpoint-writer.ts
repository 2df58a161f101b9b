// Writing a checkpoint folder in nanoVLM's own format (config.json + model.safetensors, loadable
// by VisionLanguageModel.from_pretrained) plus, for an exact resume, trainer_state.safetensors:
// AdamW's moments as tensors and, in its metadata, the step counts, the schedule position and
// the data order. The folder appears whole or not at all: it is written beside the target and
// renamed into place.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { NanoVLMConfig } from '../../model/config';
import { writeSafetensors, type TensorToWrite } from '../../model/safetensors';
import { writeModelWeights } from '../../model/model-weights-file';
import { writeFileAtomic } from '../../util/atomic-write';
import { writeChecksums } from './checkpoint-checksums';
import type { DataOrderState } from '../data/data-order';
import type { MomentState, ParameterValues } from '../engines/model-trainer';

/** The model to write: config.json as read (filled-in defaults would change the family) and every parameter. */
export interface ModelContents {
  config: NanoVLMConfig;
  rawConfig: Record<string, unknown>;
  values(): Promise<ParameterValues>;
}

/** The optimiser's side, for an exact resume (either engine's trainer). */
export interface OptimizerContents {
  /** optimiser steps taken */
  step: number;
  optimizerState(): Promise<Map<string, MomentState>>;
}

export const TRAINER_STATE_FILE = 'trainer_state.safetensors';
export const TRAINER_STATE_FORMAT = 'nanovlm-studio-trainer-state/1';

export interface TrainerStateMetadata {
  format: typeof TRAINER_STATE_FORMAT;
  /** optimiser steps taken (nanoVLM's global_step) */
  step: number;
  /** AdamW's per-parameter step counts */
  parameterSteps: Record<string, number>;
  dataOrder?: DataOrderState;
}

/** Every stored parameter (the tied pair once, as decoder.head.weight); the buffers are added on writing. */
export async function modelTensors(model: ModelContents): Promise<Record<string, TensorToWrite>> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, { shape, data }] of await model.values()) tensors[name] = { dtype: 'F32', shape, data };
  return tensors;
}

async function trainerStateTensors(trainer: OptimizerContents): Promise<{ tensors: Record<string, TensorToWrite>; steps: Record<string, number> }> {
  const tensors: Record<string, TensorToWrite> = {};
  const steps: Record<string, number> = {};
  for (const [name, s] of await trainer.optimizerState()) {
    tensors[`exp_avg.${name}`] = { dtype: 'F32', shape: s.shape, data: s.expAvg };
    tensors[`exp_avg_sq.${name}`] = { dtype: 'F32', shape: s.shape, data: s.expAvgSq };
    steps[name] = s.step;
  }
  return { tensors, steps };
}

const STAGING = /^\.step_\d+\.\d+\.partial$/;

/**
 * Remove checkpoints a killed trainer left half-written in `checkpointsDir` (its staging folders).
 * Only while no trainer writes there: at the studio's start, before a run or its resume.
 */
export function removePartialCheckpoints(checkpointsDir: string): string[] {
  if (!existsSync(checkpointsDir)) return [];
  const removed = readdirSync(checkpointsDir).filter((name) => STAGING.test(name));
  for (const name of removed) rmSync(join(checkpointsDir, name), { recursive: true, force: true });
  return removed;
}

/** Write the model alone (an export), or with the trainer's state (a resumable checkpoint). */
export async function writeCheckpoint(dir: string, model: ModelContents, trainer?: OptimizerContents, dataOrder?: DataOrderState): Promise<void> {
  const staging = join(dirname(dir), `.${basename(dir)}.${process.pid}.partial`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    writeFileAtomic(join(staging, 'config.json'), `${JSON.stringify(model.rawConfig, null, 4)}\n`);
    writeModelWeights(join(staging, 'model.safetensors'), model.config, await modelTensors(model));
    if (trainer) {
      const { tensors, steps } = await trainerStateTensors(trainer);
      const metadata: TrainerStateMetadata = { format: TRAINER_STATE_FORMAT, step: trainer.step, parameterSteps: steps, dataOrder };
      writeSafetensors(join(staging, TRAINER_STATE_FILE), tensors, { trainer_state: JSON.stringify(metadata) });
    }
    await writeChecksums(staging, ['config.json', 'model.safetensors', ...(trainer ? [TRAINER_STATE_FILE] : [])]);
    replaceDirectory(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Move `staging` to `dir`, replacing an existing folder only once the new one is complete. */
function replaceDirectory(staging: string, dir: string): void {
  if (!existsSync(dir)) {
    renameSync(staging, dir);
    return;
  }
  const old = join(dirname(dir), `.${basename(dir)}.${process.pid}.old`);
  rmSync(old, { recursive: true, force: true });
  renameSync(dir, old);
  renameSync(staging, dir);
  rmSync(old, { recursive: true, force: true });
}
