// The longest sample of a dataset in decoder positions, for a run's memory estimate: each record's
// real prompt (the family's template, its questions and answers) with every image at the largest
// grid the family allows. Images are not opened: a photo's grid is assumed to be the largest.
import type { ModelSpec } from '../../model/config';
import { largestGrid } from '../../model/family';
import { Processor } from '../../model/processor';
import type { NanoVLMTokenizer } from '../../model/tokenizer';
import type { VqaRecord } from './vqa-records';

/** Records looked at: enough to find the long ones of a large dataset, fast to tokenize. */
const LOOKED_AT = 2000;

export function longestSamplePositions(records: readonly VqaRecord[], spec: ModelSpec, tokenizer: NanoVLMTokenizer): number {
  const processor = new Processor(spec, tokenizer);
  const grid = largestGrid(spec);
  const step = Math.max(1, Math.floor(records.length / LOOKED_AT));
  let longest = 0;
  for (let i = 0; i < records.length; i += step) {
    const record = records[i]!;
    const grids = record.images.map(() => grid);
    longest = Math.max(longest, processor.positions(processor.trainingSequence(record.texts, grids).inputIds.length, grids));
  }
  return longest;
}
