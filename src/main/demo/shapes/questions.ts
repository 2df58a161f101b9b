// The four kinds of question about a scene, each with a one-word answer drawn from 8–9 equally
// likely values (so that guessing is right ~12% of the time):
//   colour   "What colour is the shape?"    one large shape        → red, orange, …
//   shape    "What shape is this?"          one large shape        → circle, square, …
//   position "Where is the {kind}?"         one shape in a 3×3 cell → top-left, top, …, centre, …
//   count    "How many shapes are there?"   1–8 shapes in cells    → 1 … 8
import type { SeededRandom } from '../seeded-random';
import { cellName } from './grid';
import { COLOURS } from './palette';
import { largeShapeScene, randomScene, type Scene } from './scene';

export const QUESTION_TYPES = ['colour', 'shape', 'position', 'count'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const MAX_COUNT = 8;

export interface ShapesQuestion {
  type: QuestionType;
  scene: Scene;
  user: string;
  assistant: string;
}

export function randomQuestion(type: QuestionType, random: SeededRandom): ShapesQuestion {
  if (type === 'count') {
    const count = random.int(1, MAX_COUNT);
    return { type, scene: randomScene(count, random), user: 'How many shapes are there?', assistant: String(count) };
  }
  const scene = type === 'position' ? randomScene(1, random) : largeShapeScene(random);
  const shape = scene.shapes[0]!;
  switch (type) {
    case 'colour':
      return { type, scene, user: 'What colour is the shape?', assistant: COLOURS[shape.colour]!.name };
    case 'shape':
      return { type, scene, user: 'What shape is this?', assistant: shape.kind };
    case 'position':
      return { type, scene, user: `Where is the ${shape.kind}?`, assistant: cellName(shape.cell) };
  }
}
