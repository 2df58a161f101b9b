// F.cross_entropy(logits, targets, ignore_index=-100): mean over the labelled positions of the
// batch. Labels are picked with a one-hot product (tf.gatherND has no gradient); an ignored
// target becomes index −1, whose one-hot row is all zeros. (The wasm backend's OneHot writes
// integer bits into float outputs, so the int32 one-hot is cast instead.)
import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '../../model/prompt';

export function crossEntropy(logits: tf.Tensor, targets: Int32Array): tf.Scalar {
  const vocab = logits.shape[logits.shape.length - 1]!;
  const labels = targets.map((t) => (t === IGNORE_INDEX ? -1 : t));
  for (const t of labels) {
    if (t < -1 || t >= vocab) throw new Error(`target ${t} is outside the vocabulary (0…${vocab - 1}, or ${IGNORE_INDEX})`);
  }
  const labelled = labels.reduce((n, t) => n + (t >= 0 ? 1 : 0), 0);
  const logProbs = tf.logSoftmax(logits.reshape([-1, vocab]));
  const picked = tf.oneHot(tf.tensor1d(labels, 'int32'), vocab).cast('float32').mul(logProbs).sum();
  return picked.neg().div(Math.max(labelled, 1)) as tf.Scalar;
}
