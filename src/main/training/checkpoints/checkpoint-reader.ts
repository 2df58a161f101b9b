// Reading back what checkpoint-writer wrote: the model through the ordinary checkpoint loader,
// and the trainer's state (AdamW moments, step counts, data order) for an exact resume.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../model/safetensors';
import { TRAINER_STATE_FILE, TRAINER_STATE_FORMAT, type TrainerStateMetadata } from './checkpoint-writer';
import type { DataOrderState } from '../data/data-order';
import type { Trainer } from '../tfjs/trainer';

/** Restore the trainer's optimiser state and step; returns the saved data order, if any. */
export function restoreTrainerState(dir: string, trainer: Trainer): DataOrderState | undefined {
  const path = join(dir, TRAINER_STATE_FILE);
  const file = SafetensorsFile.open(path);
  try {
    const raw = file.metadata.trainer_state;
    const state = raw ? (JSON.parse(raw) as TrainerStateMetadata) : undefined;
    if (state?.format !== TRAINER_STATE_FORMAT) throw new Error(`${path}: not a trainer state of format ${TRAINER_STATE_FORMAT}`);
    const trained = trainer.parameters.trained();
    for (const [name, step] of Object.entries(state.parameterSteps)) {
      const param = trained.get(name);
      if (!param) continue; // a group frozen in this run: its moments are not needed
      const read = (prefix: string) => tf.tensor(file.readFloat32(`${prefix}.${name}`), param.shape, 'float32');
      const expAvg = read('exp_avg');
      const expAvgSq = read('exp_avg_sq');
      trainer.optimizer.load(name, step, expAvg, expAvgSq);
      expAvg.dispose();
      expAvgSq.dispose();
    }
    trainer.step = state.step;
    return state.dataOrder;
  } finally {
    file.close();
  }
}
