// Shapes sit in the cells of a 3×3 grid, which names where they are: "top-left", "top", …,
// "centre", …, "bottom-right" (nine answers to "Where is the square?"). Keeping each shape
// inside its cell makes the answer unambiguous.
export const GRID_SIDE = 3;

const ROW_NAMES = ['top', '', 'bottom'] as const;
const COLUMN_NAMES = ['left', '', 'right'] as const;

export interface Cell {
  row: number;
  column: number;
}

export const ALL_CELLS: readonly Cell[] = Array.from({ length: GRID_SIDE * GRID_SIDE }, (_, i) => ({
  row: Math.floor(i / GRID_SIDE),
  column: i % GRID_SIDE,
}));

/** The one-word position of a cell: "top-left", "top", "left", "centre", … */
export function cellName({ row, column }: Cell): string {
  const parts = [ROW_NAMES[row], COLUMN_NAMES[column]].filter((p) => p !== '');
  return parts.length === 0 ? 'centre' : parts.join('-');
}

export const POSITION_NAMES: readonly string[] = ALL_CELLS.map(cellName);
