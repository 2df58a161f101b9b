// What a group's AdamW step depends on besides its tensors, as nanoVLM's torch.optim.AdamW computes
// it (in double precision, as Python does): the bias corrections of step t and the decoupled
// weight decay. The ONNX Runtime engine feeds these to its graphs or to its CPU kernel.
import type { OptimizerSettings } from '../../../shared/training';

export interface GroupAdamwScalars {
  /** lr / (1 − β1ᵗ) */
  stepSize: number;
  /** 1 − lr · weight decay */
  decay: number;
  /** √(1 − β2ᵗ) */
  bias2Sqrt: number;
}

/** `t`: the group's step count after this step (1 for its first). */
export function groupAdamwScalars(o: Pick<OptimizerSettings, 'beta1' | 'beta2' | 'weightDecay'>, lr: number, t: number): GroupAdamwScalars {
  return { stepSize: lr / (1 - o.beta1 ** t), decay: 1 - lr * o.weightDecay, bias2Sqrt: Math.sqrt(1 - o.beta2 ** t) };
}
