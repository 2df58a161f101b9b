// Writes a synthetic shapes VQA dataset in the Hub's layout: images/NNNNN.png plus train.jsonl and
// val.jsonl, one {"images", "texts", "split", "tags"} object a line (the studio's import reads
// "split" and "tags"; the trainer reads images and texts). Record i depends only on the seed and
// i, and the question types cycle, so every type is equally common in both splits.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { SeededRandom } from '../seeded-random';
import { majorityBaselines, type MajorityBaseline } from './majority-baseline';
import { QUESTION_TYPES, randomQuestion, type QuestionType } from './questions';
import { sceneSvg } from './scene-svg';

export interface ShapesDatasetOptions {
  count: number;
  seed: number;
  /** share of the records put in val.jsonl (default 0.1) */
  valFraction?: number;
  /** image side in pixels (default 96) */
  imageSize?: number;
  /** the question types asked, in turn (default all four) */
  questionTypes?: readonly QuestionType[];
  /** called after every batch of images written */
  onProgress?: (written: number, total: number) => void;
}

export interface ShapesRecord {
  images: string[];
  texts: { user: string; assistant: string }[];
  split: 'train' | 'val';
  tags: [QuestionType];
}

export interface ShapesDatasetSummary {
  trainPath: string;
  valPath: string;
  train: number;
  val: number;
  baselines: { train: MajorityBaseline[]; val: MajorityBaseline[] };
}

export const DEFAULT_IMAGE_SIZE = 96;
const RENDER_BATCH = 32;

/** Seeds of neighbouring records are decorrelated by one multiply-xorshift. */
function recordSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  h ^= h >>> 13;
  return Math.imul(h, 0xc2b2ae35) >>> 0;
}

const imageName = (index: number): string => `images/${String(index + 1).padStart(5, '0')}.png`;

/** The records (and their scenes' SVG) of a dataset, without writing anything. */
export function shapesRecords(options: ShapesDatasetOptions): { record: ShapesRecord; svg: string }[] {
  const size = options.imageSize ?? DEFAULT_IMAGE_SIZE;
  const valCount = Math.round(options.count * (options.valFraction ?? 0.1));
  const types = options.questionTypes ?? QUESTION_TYPES;
  if (types.length === 0) throw new Error('no question types to ask');
  return Array.from({ length: options.count }, (_, i) => {
    const type = types[i % types.length]!;
    const question = randomQuestion(type, new SeededRandom(recordSeed(options.seed, i)));
    const record: ShapesRecord = {
      images: [imageName(i)],
      texts: [{ user: question.user, assistant: question.assistant }],
      split: i < options.count - valCount ? 'train' : 'val',
      tags: [type],
    };
    return { record, svg: sceneSvg(question.scene, size) };
  });
}

export async function writeShapesDataset(outDir: string, options: ShapesDatasetOptions): Promise<ShapesDatasetSummary> {
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error(`count must be a positive integer, not ${options.count}`);
  const items = shapesRecords(options);
  mkdirSync(join(outDir, 'images'), { recursive: true });
  for (let start = 0; start < items.length; start += RENDER_BATCH) {
    const batch = items.slice(start, start + RENDER_BATCH);
    await Promise.all(batch.map(({ record, svg }) => sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toFile(join(outDir, record.images[0]!))));
    options.onProgress?.(start + batch.length, items.length);
  }
  const records = items.map((item) => item.record);
  const split = (name: 'train' | 'val') => records.filter((r) => r.split === name);
  const paths = { train: join(outDir, 'train.jsonl'), val: join(outDir, 'val.jsonl') };
  for (const name of ['train', 'val'] as const)
    writeFileSync(
      paths[name],
      split(name)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
  const baseline = (name: 'train' | 'val') => majorityBaselines(split(name).map((r) => ({ type: r.tags[0], answer: r.texts[0]!.assistant })));
  return {
    trainPath: paths.train,
    valPath: paths.val,
    train: split('train').length,
    val: split('val').length,
    baselines: { train: baseline('train'), val: baseline('val') },
  };
}
