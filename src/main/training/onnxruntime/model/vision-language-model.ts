// nanoVLM's VisionLanguageModel.forward and its training loss as training-graph ops: encode the
// tiles, project them into the decoder's width, put them into the sequence (prefix: before the
// text; inline/split: in place of the <|image|> placeholders, in order), run the decoder, and take
// the cross-entropy of the labelled positions only (the head, 49k rows wide, runs on those rows).
import type { ModelSpec } from '../../../model/config';
import { imagesBeforeText } from '../../../model/family';
import { HEAD, TOKEN_EMBEDDING } from '../../../model/parameters';
import type { Tensor, TensorGraph } from '../../../onnx/tensor-graph';
import { languageModel, type AttentionInputs } from './language-model';
import { modalityProjector } from './modality-projector';
import type { Params } from './parameters';
import { visionTransformer } from './vision-transformer';

/** The batch as graph inputs (see step-feeds.ts for how they are made). */
export interface BatchInputs {
  /** [tiles, 3, S, S] */
  pixels: Tensor;
  /** int64 [B, T] */
  inputIds: Tensor;
  /** inline/split: int64 [B·T], for each position its row in [token rows; image rows] */
  mergeIndex?: Tensor;
  attention: AttentionInputs;
  /** int64 [R]: the labelled positions, as rows of the flattened [B·positions] hidden states */
  labelRows: Tensor;
  /** int64 [R] */
  labels: Tensor;
  /** [R]: 1/(labelled positions of the batch · accumulation steps), 0 on padding rows */
  labelWeights: Tensor;
}

/** The decoder's input embeddings [B, positions, D]. */
function inputEmbeddings(tg: TensorGraph, spec: ModelSpec, w: Params, batch: BatchInputs): Tensor {
  const c = spec.config;
  const D = c.lm_hidden_dim;
  const B = batch.inputIds.shape[0] as number;
  const images = tg.scope('MP', () =>
    modalityProjector(
      tg,
      tg.scope('vision_encoder', () => visionTransformer(tg, batch.pixels, w.scope('vision_encoder'), c)),
      w.scope('MP'),
      c,
    ),
  );
  // a tied embedding is stored as the head
  const embedding = w.get(c.lm_tie_weights === false ? TOKEN_EMBEDDING : HEAD);
  const tokens = tg.gather(embedding, tg.reshape(batch.inputIds, [-1]));
  if (imagesBeforeText(spec.family)) {
    const text = tg.reshape(tokens, [B, -1, D]);
    return tg.concat([tg.reshape(images, [B, c.mp_image_token_length, D]), text], 1);
  }
  const table = tg.concat([tokens, tg.reshape(images, [-1, D])], 0);
  return tg.reshape(tg.gather(table, batch.mergeIndex!), [B, -1, D]);
}

/** Mean cross-entropy over the labelled positions (each weighted by its labelWeight). */
export function trainingLoss(tg: TensorGraph, spec: ModelSpec, w: Params, batch: BatchInputs): Tensor {
  const D = spec.config.lm_hidden_dim;
  const hidden = tg.scope('decoder', () => languageModel(tg, inputEmbeddings(tg, spec, w, batch), w.scope('decoder'), spec.config, batch.attention));
  const rows = tg.gather(tg.reshape(hidden, [-1, D]), batch.labelRows);
  const logits = tg.scope('decoder.head', () => tg.linear(rows, w.get(HEAD)));
  return tg.crossEntropy(logits, batch.labels, batch.labelWeights);
}
