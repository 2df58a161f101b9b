// Reading back what checkpoint-writer wrote: the model through the ordinary checkpoint loader,
// and the trainer's state (AdamW moments, step counts, data order) for an exact resume, into
// either engine's trainer.
import { join } from 'node:path';
import { SafetensorsFile } from '../../model/safetensors';
import type { DataOrderState } from '../data/data-order';
import type { MomentState, ModelTrainer } from '../engines/model-trainer';
import { TRAINER_STATE_FILE, TRAINER_STATE_FORMAT, type TrainerStateMetadata } from './checkpoint-writer';

/** Restore the trainer's optimiser state and step; returns the saved data order, if any. */
export function restoreTrainerState(dir: string, trainer: Pick<ModelTrainer, 'restoreOptimizerState'>): DataOrderState | undefined {
  const path = join(dir, TRAINER_STATE_FILE);
  const file = SafetensorsFile.open(path);
  try {
    const raw = file.metadata.trainer_state;
    const state = raw ? (JSON.parse(raw) as TrainerStateMetadata) : undefined;
    if (state?.format !== TRAINER_STATE_FORMAT) throw new Error(`${path}: not a trainer state of format ${TRAINER_STATE_FORMAT}`);
    const moments = new Map<string, MomentState>();
    for (const [name, step] of Object.entries(state.parameterSteps)) {
      const read = (prefix: string) => file.readFloat32(`${prefix}.${name}`);
      moments.set(name, { step, shape: file.info(`exp_avg.${name}`).shape, expAvg: read('exp_avg'), expAvgSq: read('exp_avg_sq') });
    }
    trainer.restoreOptimizerState(state.step, moments);
    return state.dataOrder;
  } finally {
    file.close();
  }
}
