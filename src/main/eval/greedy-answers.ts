// Answers to the last question of VQA records by greedy generation with the TF.js model: the
// prompt is built exactly as the runtime builds it (prompt.ts, image-processor.ts).
import type { ModelSpec } from '../model/config';
import { imageSettingsFor, processImage } from '../model/image-processor';
import { buildGenerationIds } from '../model/prompt';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import type { VqaRecord } from '../training/data/vqa-records';
import { greedyDecode, type GenerationPrompt } from './greedy-decode';
import type { VisionLanguageModel } from '../training/tfjs/model/vision-language-model';

export async function generationPrompt(record: VqaRecord, spec: ModelSpec, tokenizer: NanoVLMTokenizer): Promise<GenerationPrompt> {
  const images = await Promise.all(record.images.map((path) => processImage(path, imageSettingsFor(spec))));
  const texts = [...record.texts.slice(0, -1), { user: record.texts[record.texts.length - 1]!.user }];
  const inputIds = buildGenerationIds(spec, tokenizer, { texts, imageGrids: images.map((im) => im.grid) });
  const pixels = new Float32Array(images.reduce((n, im) => n + im.pixels.length, 0));
  let offset = 0;
  for (const im of images) {
    pixels.set(im.pixels, offset);
    offset += im.pixels.length;
  }
  return { inputIds, pixels, tileCount: images.reduce((n, im) => n + im.tileCount, 0) };
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
