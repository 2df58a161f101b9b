// `nanovlm make-shapes`: a synthetic VQA dataset of rendered shapes (colour, kind, position and
// count questions with one-word answers), deterministic for a seed; prints each question type's
// majority-answer baseline, the accuracy a model must beat.
import { resolve } from 'node:path';
import { numberOption, requireString, UsageError, type CliCommand, type ParsedArgs } from '../command';
import { QUESTION_TYPES, type QuestionType } from '../../demo/shapes/questions';
import type { MajorityBaseline } from '../../demo/shapes/majority-baseline';
import { DEFAULT_IMAGE_SIZE, writeShapesDataset } from '../../demo/shapes/shapes-dataset';

const wholePositive = (n: number) => Number.isInteger(n) && n > 0;
const fraction = (n: number) => Number.isFinite(n) && n >= 0 && n < 1;

/** On a terminal, one updating line; otherwise a line every 10%. */
function progressReporter(write: (text: string) => void): (done: number, total: number) => void {
  const tty = Boolean(process.stderr.isTTY);
  let shownTenth = 0;
  return (done, total) => {
    if (tty) write(`\rimages ${done}/${total}${done === total ? '\n' : ''}`);
    else if (Math.floor((10 * done) / total) > shownTenth || done === total) {
      shownTenth = Math.floor((10 * done) / total);
      write(`images ${done}/${total}\n`);
    }
  };
}

function baselineText(split: string, baselines: MajorityBaseline[]): string {
  const parts = baselines.map((b) => `${b.type} ${(100 * b.accuracy).toFixed(1)}% ("${b.majorityAnswer}", ${b.classes} answers)`);
  return `${split} majority baseline: ${parts.join('; ')}\n`;
}

function questionTypesFrom(args: ParsedArgs): QuestionType[] | undefined {
  const text = args.values.types as string | undefined;
  if (text === undefined) return undefined;
  const types = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const unknown = types.filter((t) => !(QUESTION_TYPES as readonly string[]).includes(t));
  if (types.length === 0 || unknown.length > 0)
    throw new UsageError(`--types: expected some of ${QUESTION_TYPES.join(', ')}${unknown.length ? `, not ${unknown.join(', ')}` : ''}`);
  return types as QuestionType[];
}

export const command: CliCommand = {
  name: 'make-shapes',
  summary: 'generate a synthetic shapes VQA dataset (images + train/val JSONL)',
  usage: [
    'Usage: nanovlm make-shapes --out DIR --count N [--seed S] [--val-fraction F] [--image-size PX]',
    '',
    "Writes DIR/images/NNNNN.png, DIR/train.jsonl and DIR/val.jsonl in the Hub's VQA layout",
    '({"images": [...], "texts": [{"user", "assistant"}], "split", "tags": [question type]}).',
    'Questions: "What colour is the shape?", "What shape is this?", "Where is the <kind>?",',
    '"How many shapes are there?"; 8–9 equally likely one-word answers each.',
    '',
    '  --out DIR            output folder (created)',
    '  --count N            number of question/image pairs',
    '  --seed S             random seed (default 0); the same seed gives the same dataset',
    '  --val-fraction F     share of the pairs in val.jsonl (default 0.1)',
    `  --image-size PX      image side (default ${DEFAULT_IMAGE_SIZE})`,
    `  --types LIST         question types to ask, comma-separated (default ${QUESTION_TYPES.join(',')})`,
  ].join('\n'),
  options: {
    out: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    'val-fraction': { type: 'string' },
    'image-size': { type: 'string' },
    types: { type: 'string' },
  },
  async run(args, io) {
    const out = resolve(requireString(args, 'out'));
    const count = numberOption(args, 'count', wholePositive);
    if (count === undefined) requireString(args, 'count');
    const summary = await writeShapesDataset(out, {
      count: count!,
      seed: numberOption(args, 'seed', Number.isInteger) ?? 0,
      valFraction: numberOption(args, 'val-fraction', fraction),
      imageSize: numberOption(args, 'image-size', (n) => wholePositive(n) && n >= 16),
      questionTypes: questionTypesFrom(args),
      onProgress: progressReporter(io.err),
    });
    io.out(`wrote ${summary.train} training and ${summary.val} validation pairs to ${out}\n`);
    io.out(baselineText('train', summary.baselines.train));
    if (summary.val > 0) io.out(baselineText('val', summary.baselines.val));
    return 0;
  },
};
