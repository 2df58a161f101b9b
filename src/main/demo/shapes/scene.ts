// A scene: shapes of some kinds and colours in distinct cells of the 3×3 grid, on a light
// background. Sizes, exact positions inside a cell and colours are jittered so that no two
// images are alike, while every answer stays unambiguous.
import type { SeededRandom } from '../seeded-random';
import { ALL_CELLS, GRID_SIDE, type Cell } from './grid';
import { BACKGROUNDS, COLOURS } from './palette';
import { SHAPE_KINDS, type ShapeKind } from './shape-kinds';

export interface PlacedShape {
  kind: ShapeKind;
  /** index into COLOURS */
  colour: number;
  /** the colour actually painted (the palette's, jittered) */
  rgb: [number, number, number];
  cell: Cell;
  /** centre and radius as fractions of the image side */
  x: number;
  y: number;
  radius: number;
}

export interface Scene {
  background: readonly [number, number, number];
  shapes: PlacedShape[];
}

const CELL = 1 / GRID_SIDE;
const COLOUR_JITTER = 18;

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

function jitteredColour(index: number, random: SeededRandom): [number, number, number] {
  const [r, g, b] = COLOURS[index]!.rgb;
  const shift = () => random.between(-COLOUR_JITTER, COLOUR_JITTER);
  return [clampByte(r + shift()), clampByte(g + shift()), clampByte(b + shift())];
}

/** A shape in `cell`: radius 34–46% of the cell, its centre moved so it stays inside. */
function placeShape(cell: Cell, random: SeededRandom): PlacedShape {
  const kind = random.pick(SHAPE_KINDS);
  const colour = random.int(0, COLOURS.length - 1);
  const radius = random.between(0.34, 0.46) * CELL;
  const slack = CELL / 2 - radius - 0.02 * CELL;
  const x = (cell.column + 0.5) * CELL + random.between(-slack, slack);
  const y = (cell.row + 0.5) * CELL + random.between(-slack, slack);
  return { kind, colour, rgb: jitteredColour(colour, random), cell, x, y, radius };
}

/** `count` shapes (1–9) in distinct random cells. */
export function randomScene(count: number, random: SeededRandom): Scene {
  if (!Number.isInteger(count) || count < 1 || count > ALL_CELLS.length) throw new Error(`a scene holds 1–${ALL_CELLS.length} shapes, not ${count}`);
  const cells = random.distinct(ALL_CELLS, count);
  return { background: random.pick(BACKGROUNDS), shapes: cells.map((cell) => placeShape(cell, random)) };
}

/**
 * One large shape (radius 28–36% of the image) near the centre (moved at most 3% of the side):
 * what colour and kind questions show. Every patch then sees the same part of a silhouette from
 * one image to the next, which a model trained from scratch learns to read within minutes; a shape
 * anywhere in the image, cut by the patch grid at random offsets, took it far longer (32% right
 * on kinds after 1500 steps).
 */
export function largeShapeScene(random: SeededRandom): Scene {
  const kind = random.pick(SHAPE_KINDS);
  const colour = random.int(0, COLOURS.length - 1);
  const radius = random.between(0.28, 0.36);
  const x = 0.5 + random.between(-0.03, 0.03);
  const y = 0.5 + random.between(-0.03, 0.03);
  const cell = { row: Math.min(GRID_SIDE - 1, Math.floor(y * GRID_SIDE)), column: Math.min(GRID_SIDE - 1, Math.floor(x * GRID_SIDE)) };
  return { background: random.pick(BACKGROUNDS), shapes: [{ kind, colour, rgb: jitteredColour(colour, random), cell, x, y, radius }] };
}
