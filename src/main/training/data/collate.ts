// nanoVLM's VQACollator: a batch of training sequences padded on the LEFT to the longest one
// (pad id, attention mask 0, target −100), with every sample's image tiles concatenated in
// order. Positions still count from the first slot, pads included (see the decoder's RoPE).
import { concatFloat32 } from '../../model/processor';
import { IGNORE_INDEX } from '../../model/prompt';
import type { TrainingBatch } from './batch';

export interface CollateSample {
  inputIds: readonly number[];
  /** shifted targets: targets[t] is what position t must predict, −100 for none */
  targets: readonly number[];
  /** this sample's tiles, [tiles, 3, S, S] row-major */
  pixels: Float32Array;
  tileCount: number;
}

export function collate(samples: readonly CollateSample[], padTokenId: number): TrainingBatch {
  if (samples.length === 0) throw new Error('cannot collate an empty batch');
  const length = samples.reduce((longest, s) => Math.max(longest, s.inputIds.length), 0);
  const rows = samples.length;
  const inputIds = new Int32Array(rows * length).fill(padTokenId);
  const targets = new Int32Array(rows * length).fill(IGNORE_INDEX);
  const attentionMask = new Int32Array(rows * length);
  samples.forEach((s, r) => {
    if (s.targets.length !== s.inputIds.length) throw new Error(`sample ${r}: ${s.inputIds.length} ids but ${s.targets.length} targets`);
    const start = r * length + (length - s.inputIds.length);
    inputIds.set(s.inputIds, start);
    targets.set(s.targets, start);
    attentionMask.fill(1, start, (r + 1) * length);
  });
  const imageCount = samples.reduce((n, s) => n + s.tileCount, 0);
  const pixelValues = concatFloat32(samples.map((s) => s.pixels));
  return { inputIds, targets, attentionMask, rows, length, pixelValues, imageCount };
}
