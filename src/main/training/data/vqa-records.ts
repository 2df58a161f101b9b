// A VQA dataset in the Hub's convention, one JSON object a line:
// {"images": [paths relative to the file], "texts": [{"user": …, "assistant": …}, …]},
// turned into model-ready samples with the shared prompt builder and image processor (what the
// runtime uses too, so training and inference see the same thing).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ModelSpec } from '../../model/config';
import { imageSettingsFor, processImage } from '../../model/image-processor';
import { buildTrainingSequence, type Turn } from '../../model/prompt';
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

export async function prepareSample(record: VqaRecord, spec: ModelSpec, tokenizer: NanoVLMTokenizer): Promise<CollateSample> {
  const settings = imageSettingsFor(spec);
  const images = await Promise.all(record.images.map((p) => processImage(p, settings)));
  if (spec.family === 'prefix' && images.length !== 1) throw new Error(`prefix models take exactly one image per sample (got ${images.length})`);
  const sequence = buildTrainingSequence(spec, tokenizer, { texts: record.texts, imageGrids: images.map((im) => im.grid) });
  const pixels = new Float32Array(images.reduce((n, im) => n + im.pixels.length, 0));
  let offset = 0;
  for (const im of images) {
    pixels.set(im.pixels, offset);
    offset += im.pixels.length;
  }
  return { inputIds: sequence.inputIds, targets: sequence.targets, pixels, tileCount: images.reduce((n, im) => n + im.tileCount, 0) };
}
