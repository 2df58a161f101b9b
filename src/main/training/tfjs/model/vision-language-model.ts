// nanoVLM's VisionLanguageModel.forward: encode the images, project them into the decoder's
// width, put them into the sequence (prefix: before the text; inline/split: in place of the
// <|image|> placeholders, in order), run the decoder and the head.
import * as tf from '@tensorflow/tfjs';
import { extraTokenId, type Family, type NanoVLMConfig } from '../../../model/config';
import { imagesBeforeText } from '../../../model/family';
import type { TrainingBatch } from '../../data/batch';
import { languageModel, lmHead } from './language-model';
import { modalityProjector } from './modality-projector';
import { visionTransformer } from './vision-transformer';
import type { Weights } from './weights';

export interface VisionLanguageModel {
  family: Family;
  config: NanoVLMConfig;
  weights: Weights;
}

/** Images [n, 3, S, S] → projected embeddings [n, L, D_lm]. */
export function imageEmbeddings(pixels: tf.Tensor, model: VisionLanguageModel): tf.Tensor {
  const { weights: w, config: c } = model;
  return modalityProjector(visionTransformer(pixels, w.scope('vision_encoder'), c), w.scope('MP'), c);
}

function tokenEmbeddings(ids: Int32Array, rows: number, length: number, w: Weights): tf.Tensor {
  const table = w.get('decoder.token_embedding.weight');
  return tf.gather(table, tf.tensor1d(ids, 'int32')).reshape([rows, length, table.shape[1]!]);
}

/**
 * _replace_img_tokens_with_embd: the k-th <|image|> position (row-major over the batch) takes the
 * k-th image embedding row. Written as one gather over [token rows; image rows], so that the
 * gradient reaches both.
 */
export function replaceImageTokens(tokens: tf.Tensor, images: tf.Tensor, ids: Int32Array, imageTokenId: number): tf.Tensor {
  const [rows, length, dim] = tokens.shape as [number, number, number];
  const positions = rows * length;
  const imageRows = images.size / dim;
  const index = new Int32Array(positions);
  let next = 0;
  for (let i = 0; i < positions; i++) index[i] = ids[i] === imageTokenId ? positions + next++ : i;
  if (next !== imageRows) {
    throw new Error(`the batch has ${next} <|image|> placeholders but its images give ${imageRows} embeddings`);
  }
  const table = tf.concat([tokens.reshape([positions, dim]), images.reshape([imageRows, dim])]);
  return tf.gather(table, tf.tensor1d(index, 'int32')).reshape([rows, length, dim]);
}

/** The vision encoder's output [images, N, D_vit] for the batch's images. */
export function visionFeatures(model: VisionLanguageModel, batch: TrainingBatch): tf.Tensor {
  const s = model.config.vit_img_size;
  const pixels = tf.tensor4d(batch.pixelValues, [batch.imageCount, 3, s, s]);
  return visionTransformer(pixels, model.weights.scope('vision_encoder'), model.config);
}

/**
 * The decoder's normed hidden states [rows, length, D] of the text positions (prefix: image
 * positions dropped). `features` = visionFeatures(), when computed beforehand (a frozen encoder
 * run outside the gradient tape).
 */
export function vlmHidden(model: VisionLanguageModel, batch: TrainingBatch, features?: tf.Tensor): tf.Tensor {
  const { weights: w, config: c } = model;
  const images = modalityProjector(features ?? visionFeatures(model, batch), w.scope('MP'), c);
  const tokens = tokenEmbeddings(batch.inputIds, batch.rows, batch.length, w);
  if (imagesBeforeText(model.family)) {
    if (batch.imageCount !== batch.rows) throw new Error(`prefix models take one image per sequence (${batch.imageCount} images for ${batch.rows} rows)`);
    const imageLength = images.shape[1]!;
    const mask = batch.attentionMask && prefixMask(batch.attentionMask, batch.rows, batch.length, imageLength);
    const hidden = languageModel(tf.concat([images, tokens], 1), w.scope('decoder'), c, mask);
    return hidden.slice([0, imageLength, 0], [-1, -1, -1]);
  }
  const combined = replaceImageTokens(tokens, images, batch.inputIds, extraTokenId(c, 'image_token'));
  return languageModel(combined, w.scope('decoder'), c, batch.attentionMask);
}

/** Logits [rows, length, V] for the text positions of the batch (prefix: image positions dropped). */
export function vlmLogits(model: VisionLanguageModel, batch: TrainingBatch): tf.Tensor {
  return lmHead(vlmHidden(model, batch), model.weights.scope('decoder'));
}

/** Image positions are always attended: the text mask gets imageLength ones in front of each row. */
function prefixMask(textMask: Int32Array, rows: number, length: number, imageLength: number): Int32Array {
  const width = imageLength + length;
  const mask = new Int32Array(rows * width).fill(1);
  for (let r = 0; r < rows; r++) mask.set(textMask.subarray(r * length, (r + 1) * length), r * width + imageLength);
  return mask;
}
