// A collated batch as the training graph's inputs. Everything that depends on where things sit in
// the sequence is worked out here, once per batch, with the model layer's own functions: which row
// of [token rows; image rows] fills each position (the <|image|> placeholders take the image
// embeddings in order), the RoPE tables and the causal + padding mask for the batch's length, and
// the rows the loss is taken on.
//
// Sequences are padded on the RIGHT to a length bucket, so that a run meets a few graph shapes
// instead of one per batch (each length has a graph of its own). Right padding changes nothing: the added
// positions come after every real one (causal attention never lets a real position see them), are
// masked as keys, and carry no label. nanoVLM's own LEFT padding to the batch's longest sequence
// is done by collate() before, and is kept: its pads shift the RoPE positions, as in nanoVLM.
import type { ModelSpec } from '../../model/config';
import { causalPaddingBias } from '../../model/attention-mask';
import { imagesBeforeText, imageTokenIdOf } from '../../model/family';
import { IGNORE_INDEX } from '../../model/prompt';
import { fullWidth, ropeTables } from '../../model/rope';
import type { TrainingBatch } from '../data/batch';

/**
 * The length a batch is padded to: 16, 20, 24, 28, then each power of two times 1, 1.25, 1.5 or
 * 1.75 (at most 14% of padding, and few distinct lengths in a run).
 */
export function bucketLength(length: number): number {
  if (length <= 16) return 16;
  const power = 2 ** Math.floor(Math.log2(length));
  const quarter = power / 4;
  return Math.ceil(length / quarter) * quarter;
}

/** Decoder positions of a sequence of `length` tokens: the prefix family's image rows come first. */
export function sequencePositions(spec: ModelSpec, length: number): number {
  return (imagesBeforeText(spec.family) ? spec.config.mp_image_token_length : 0) + length;
}
/** Labelled rows are padded up to a multiple of this (with weight 0). */
export const LABEL_BUCKET = 8;

export interface StepFeeds {
  pixels: Float32Array;
  tiles: number;
  /** int64 [rows, length] */
  inputIds: BigInt64Array;
  length: number;
  /** inline/split: int64 [rows·length] */
  mergeIndex?: BigInt64Array;
  /** [positions, hd] */
  ropeCos: Float32Array;
  ropeSin: Float32Array;
  positions: number;
  /** [rows, 1, positions, positions] */
  bias: Float32Array;
  labelRows: BigInt64Array;
  labels: BigInt64Array;
  labelWeights: Float32Array;
  /** real labelled positions (before padding) */
  labelled: number;
}

const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** `lossScale`: the loss is multiplied by it (1 / accumulation steps: micro-batch losses add up). */
export function stepFeeds(spec: ModelSpec, batch: TrainingBatch, padTokenId: number, lossScale = 1): StepFeeds {
  const { rows } = batch;
  const length = bucketLength(batch.length);
  const positions = sequencePositions(spec, length);
  const imageRows = positions - length;
  const inputIds = new BigInt64Array(rows * length).fill(BigInt(padTokenId));
  const mask = new Int32Array(rows * positions);
  const labelRows: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    mask.fill(1, r * positions, r * positions + imageRows);
    for (let t = 0; t < batch.length; t++) {
      const from = r * batch.length + t;
      inputIds[r * length + t] = BigInt(batch.inputIds[from]!);
      mask[r * positions + imageRows + t] = batch.attentionMask ? batch.attentionMask[from]! : 1;
      const target = batch.targets[from]!;
      if (target === IGNORE_INDEX) continue;
      labelRows.push(r * positions + imageRows + t);
      labels.push(target);
    }
  }
  const labelled = labels.length;
  const padded = Math.max(LABEL_BUCKET, roundUp(labelled, LABEL_BUCKET));
  const weight = labelled ? lossScale / labelled : 0;
  // the real (unpadded) sequence length decides RoPE's scaling, as in nanoVLM
  const rope = ropeTables(spec.config, positions, imageRows + batch.length);
  return {
    pixels: batch.pixelValues,
    tiles: batch.imageCount,
    inputIds,
    length,
    mergeIndex: imagesBeforeText(spec.family) ? undefined : mergeIndex(spec, inputIds, batch.imageCount),
    ropeCos: fullWidth(rope.cosHalf, positions, rope.half),
    ropeSin: fullWidth(rope.sinHalf, positions, rope.half),
    positions,
    bias: causalPaddingBias(rows, positions, mask),
    labelRows: BigInt64Array.from({ length: padded }, (_, i) => BigInt(labelRows[i] ?? 0)),
    labels: BigInt64Array.from({ length: padded }, (_, i) => BigInt(labels[i] ?? 0)),
    labelWeights: Float32Array.from({ length: padded }, (_, i) => (i < labelled ? weight : 0)),
    labelled,
  };
}

/**
 * _replace_img_tokens_with_embd as an index: the k-th <|image|> position (row-major over the
 * batch) takes row k of the image embeddings, which follow the token rows in the table.
 */
function mergeIndex(spec: ModelSpec, inputIds: BigInt64Array, tiles: number): BigInt64Array {
  const imageToken = BigInt(imageTokenIdOf(spec)!);
  const tokenRows = inputIds.length;
  const imageRows = tiles * spec.config.mp_image_token_length;
  const index = new BigInt64Array(tokenRows);
  let next = 0;
  for (let i = 0; i < tokenRows; i++) index[i] = BigInt(inputIds[i] === imageToken ? tokenRows + next++ : i);
  if (next !== imageRows) throw new Error(`the batch has ${next} <|image|> placeholders but its ${tiles} tiles give ${imageRows} embeddings`);
  return index;
}
