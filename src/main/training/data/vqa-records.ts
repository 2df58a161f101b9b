// A VQA dataset in the Hub's convention, one JSON object a line:
// {"images": [paths relative to the file], "texts": [{"user": …, "assistant": …}, …]},
// turned into model-ready samples with the shared prompt builder and image processor (what the
// runtime uses too, so training and inference see the same thing).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ModelSpec } from '../../model/config';
import { imagesBeforeText } from '../../model/family';
import { Processor } from '../../model/processor';
import type { Turn } from '../../model/prompt';
import type { NanoVLMTokenizer } from '../../model/tokenizer';
import type { CollateSample } from './collate';

export interface VqaRecord {
  images: string[];
  texts: Turn[];
}

export function readVqaJsonl(path: string): VqaRecord[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const records: VqaRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    const r = raw as Partial<VqaRecord>;
    if (!Array.isArray(r.images) || !r.images.every((p) => typeof p === 'string')) throw new Error(`${path}:${i + 1}: "images" must be a list of paths`);
    if (!Array.isArray(r.texts) || r.texts.length === 0) throw new Error(`${path}:${i + 1}: "texts" must be a non-empty list of {user, assistant}`);
    const base = dirname(path);
    records.push({ images: r.images.map((p) => resolve(base, p)), texts: r.texts });
  });
  if (records.length === 0) throw new Error(`${path}: no samples`);
  return records;
}

/** One record as a collate-ready sample, through the shared processor. */
export async function prepareSample(record: VqaRecord, spec: ModelSpec, tokenizer: NanoVLMTokenizer): Promise<CollateSample> {
  // images placed before the text need one per row of the batch
  if (imagesBeforeText(spec.family) && record.images.length !== 1)
    throw new Error(`${spec.family} models take exactly one image per sample (got ${record.images.length})`);
  const { inputIds, targets, pixels, tiles } = await new Processor(spec, tokenizer).forTraining(record.texts, record.images);
  return { inputIds, targets, pixels, tileCount: tiles };
}
