// Answers to the last question of VQA records by greedy generation with the TF.js model: the
// prompt is built exactly as the runtime builds it (the shared processor).
import type { ModelSpec } from '../model/config';
import { Processor } from '../model/processor';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import type { VqaRecord } from '../training/data/vqa-records';
import { greedyDecode, type GenerationPrompt } from './greedy-decode';
import type { VisionLanguageModel } from '../training/tfjs/model/vision-language-model';

export async function generationPrompt(record: VqaRecord, spec: ModelSpec, tokenizer: NanoVLMTokenizer): Promise<GenerationPrompt> {
  const texts = [...record.texts.slice(0, -1), { user: record.texts[record.texts.length - 1]!.user }];
  const { inputIds, pixels, tiles } = await new Processor(spec, tokenizer).forGeneration(texts, record.images);
  return { inputIds, pixels, tileCount: tiles };
}

export async function greedyAnswers(
  model: VisionLanguageModel, spec: ModelSpec, tokenizer: NanoVLMTokenizer, records: readonly VqaRecord[],
  options: { batchSize?: number; maxNewTokens?: number } = {},
): Promise<string[]> {
  const batchSize = options.batchSize ?? 32;
  const answers: string[] = [];
  for (let start = 0; start < records.length; start += batchSize) {
    const prompts = await Promise.all(records.slice(start, start + batchSize).map((r) => generationPrompt(r, spec, tokenizer)));
    const ids = greedyDecode(model, prompts, { endTokenId: tokenizer.eosTokenId, maxNewTokens: options.maxNewTokens ?? 16 });
    answers.push(...ids.map((answer) => tokenizer.decode(answer, { skipSpecialTokens: true }).trim()));
  }
  return answers;
}
