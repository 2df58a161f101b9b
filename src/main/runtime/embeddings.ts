// The decoder's input embeddings: token embeddings looked up in JS from the fp32 matrix, with the
// image embeddings placed as the family wants:
//   prefix          image embeddings (every tile, in order) BEFORE the text embeddings
//   inline / split  each image placeholder token's embedding replaced, in order, by the next
//                   image embedding (one per placeholder; counts must match exactly)
import type { Family } from '../model/config';
import { imagesBeforeText } from '../model/family';

export interface TokenEmbedding {
  /** [vocab, dim] row-major */
  matrix: Float32Array;
  vocab: number;
  dim: number;
}

export interface AssembledEmbeddings {
  /** [length, dim] */
  data: Float32Array;
  length: number;
}

export function embedTokens(table: TokenEmbedding, ids: readonly number[], out = new Float32Array(ids.length * table.dim), at = 0): Float32Array {
  const { matrix, vocab, dim } = table;
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new Error(`token id ${id} at position ${i} is outside the vocabulary [0, ${vocab})`);
    out.set(matrix.subarray(id * dim, (id + 1) * dim), (at + i) * dim);
  });
  return out;
}

/**
 * Input embeddings for a sequence. `imageEmbeddings` is [rows, dim] (every tile's L tokens, tiles in
 * order), possibly empty. `imageTokenId` is required for inline/split.
 */
export function assembleEmbeddings(
  family: Family,
  table: TokenEmbedding,
  ids: readonly number[],
  imageEmbeddings: Float32Array,
  imageTokenId?: number,
): AssembledEmbeddings {
  const dim = table.dim;
  const imageRows = imageEmbeddings.length / dim;
  if (imagesBeforeText(family)) {
    const data = new Float32Array((imageRows + ids.length) * dim);
    data.set(imageEmbeddings, 0);
    embedTokens(table, ids, data, imageRows);
    return { data, length: imageRows + ids.length };
  }
  if (imageTokenId === undefined) throw new Error(`family ${family}: the image token id is required to place image embeddings`);
  const data = embedTokens(table, ids);
  let next = 0;
  ids.forEach((id, i) => {
    if (id !== imageTokenId) return;
    if (next >= imageRows) throw new Error(`input_ids has more image placeholders (token ${imageTokenId}) than image embeddings (${imageRows})`);
    data.set(imageEmbeddings.subarray(next * dim, (next + 1) * dim), i * dim);
    next++;
  });
  if (next !== imageRows) throw new Error(`input_ids has ${next} image placeholders (token ${imageTokenId}) but the images give ${imageRows} embeddings`);
  return { data, length: ids.length };
}
