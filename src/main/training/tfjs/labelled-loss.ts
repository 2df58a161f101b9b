// The training loss with the head applied to the labelled positions only: their hidden states
// are picked before the head, so the [positions, vocab] logits, their gradient and the one-hot
// labels exist for the answer tokens alone (16 of 113 rows in a typical 222M step, the head
// being 49152×576). Rows of a matmul are independent: the loss and every gradient are those of
// cross-entropy over all positions with −100 ignored.
import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '../../model/prompt';
import type { TrainingBatch } from '../data/batch';
import { crossEntropy } from './loss';
import { lmHead } from './model/language-model';
import { vlmHidden, type VisionLanguageModel } from './model/vision-language-model';

/** Mean cross-entropy of the batch; `features`: a precomputed (frozen) vision encoder output. */
export function labelledLoss(model: VisionLanguageModel, batch: TrainingBatch, features?: tf.Tensor): tf.Scalar {
  const head = model.weights.scope('decoder');
  const hidden = vlmHidden(model, batch, features);
  const positions: number[] = [];
  const labels: number[] = [];
  batch.targets.forEach((t, i) => {
    if (t === IGNORE_INDEX) return;
    positions.push(i);
    labels.push(t);
  });
  if (positions.length === 0) return crossEntropy(lmHead(hidden, head), batch.targets);
  const rows = tf.gather(hidden.reshape([-1, hidden.shape[2]!]), tf.tensor1d(positions, 'int32'));
  return crossEntropy(lmHead(rows, head), Int32Array.from(labels));
}
