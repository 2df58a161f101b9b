// Exact-match accuracy of a checkpoint folder (with its tokenizer files) on a VQA JSONL, with the
// TF.js model on the engine already selected: greedy generation, or the one-pass teacher-forced
// equivalent (teacher-forced-match.ts) when speed matters.
import { openCheckpoint } from '../model/checkpoint';
import { NanoVLMTokenizer } from '../model/tokenizer';
import { answersCorrect, evaluateExactMatch, exactMatchReport, readTaggedRecords, type ExactMatchReport } from './exact-match-eval';
import { greedyAnswers } from './greedy-answers';
import { ModelParameters } from '../training/tfjs/parameters';

export interface CheckpointEvalOptions {
  method?: 'greedy' | 'teacher-forced';
  /** folder with tokenizer.json (default: the checkpoint folder) */
  tokenizerDir?: string;
  /** evaluate only the first N rows */
  limit?: number;
}

export async function evaluateCheckpoint(dir: string, jsonlPath: string, options: CheckpointEvalOptions = {}): Promise<ExactMatchReport & { answers?: string[] }> {
  const checkpoint = openCheckpoint(dir);
  let parameters: ModelParameters;
  try {
    parameters = ModelParameters.fromCheckpoint(checkpoint, () => false);
  } finally {
    checkpoint.close();
  }
  try {
    const spec = { family: parameters.family, config: parameters.config };
    const tokenizer = NanoVLMTokenizer.fromFolder(options.tokenizerDir ?? dir, parameters.config);
    const items = readTaggedRecords(jsonlPath).slice(0, options.limit);
    if ((options.method ?? 'greedy') === 'teacher-forced') return await evaluateExactMatch(parameters.model(), spec, tokenizer, items);
    const answers = await greedyAnswers(parameters.model(), spec, tokenizer, items.map((i) => i.record));
    return { ...exactMatchReport(items, answersCorrect(items, answers)), answers };
  } finally {
    parameters.dispose();
  }
}
