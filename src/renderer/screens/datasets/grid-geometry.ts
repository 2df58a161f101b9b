// The grid's fixed geometry: every row has the same height, so which rows are visible is
// arithmetic on the scroll position and nothing needs measuring.
export const ROW_HEIGHT = 236;
export const GAP = 10;
export const MIN_CELL_WIDTH = 184;
export const OVERSCAN_ROWS = 3;

export function columnsFor(width: number): number {
  return Math.max(1, Math.floor((width + GAP) / (MIN_CELL_WIDTH + GAP)));
}

export function visibleRows(scrollTop: number, height: number, rowCount: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
  const last = Math.min(rowCount - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN_ROWS);
  return { first, last };
}

/** The scroll position that brings a row fully into view (or the current one if it is). */
export function scrollToShow(row: number, scrollTop: number, height: number): number {
  const top = row * ROW_HEIGHT;
  const bottom = top + ROW_HEIGHT;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + height) return bottom - height + GAP;
  return scrollTop;
}
