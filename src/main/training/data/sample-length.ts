// The longest sample of a dataset in decoder positions, for a run's memory estimate: each record's
// real prompt (the family's template, its questions and answers) with every image at the largest
// grid the family allows. Images are not opened: a photo's grid is assumed to be the largest.
import type { ModelSpec } from '../../model/config';
import { buildTrainingSequence, type Grid } from '../../model/prompt';
import type { NanoVLMTokenizer } from '../../model/tokenizer';
import type { VqaRecord } from './vqa-records';

/** Records looked at: enough to find the long ones of a large dataset, fast to tokenize. */
const LOOKED_AT = 2000;

function largestGrid(spec: ModelSpec): Grid {
  const c = spec.config;
  if (spec.family !== 'split') return [1, 1];
  const side = Math.max(1, Math.ceil((c.max_img_size ?? c.vit_img_size) / c.vit_img_size));
  return [side, side];
}

export function longestSamplePositions(records: readonly VqaRecord[], spec: ModelSpec, tokenizer: NanoVLMTokenizer): number {
  const grid = largestGrid(spec);
  const step = Math.max(1, Math.floor(records.length / LOOKED_AT));
  let longest = 0;
  for (let i = 0; i < records.length; i += step) {
    const record = records[i]!;
    const { inputIds } = buildTrainingSequence(spec, tokenizer, { texts: record.texts, imageGrids: record.images.map(() => grid) });
    // the prefix family's image embeddings come before the ids, without placeholders
    const imageRows = spec.family === 'prefix' ? record.images.length * spec.config.mp_image_token_length : 0;
    longest = Math.max(longest, inputIds.length + imageRows);
  }
  return longest;
}
