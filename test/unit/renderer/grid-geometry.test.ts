// The sample grid's geometry (src/renderer/screens/datasets/grid-geometry.ts): columns for a width,
// the rows to draw for a scroll position, and the scroll that brings a row into view.
import { describe, expect, it } from 'vitest';
import { columnsFor, GAP, MIN_CELL_WIDTH, OVERSCAN_ROWS, ROW_HEIGHT, scrollToShow, visibleRows } from '../../../src/renderer/screens/datasets/grid-geometry';

describe('grid geometry', () => {
  it('as many columns of at least the minimum width as fit with their gaps, never none', () => {
    expect(columnsFor(0)).toBe(1);
    expect(columnsFor(MIN_CELL_WIDTH)).toBe(1);
    expect(columnsFor(2 * MIN_CELL_WIDTH + GAP - 1)).toBe(1);
    expect(columnsFor(2 * MIN_CELL_WIDTH + GAP)).toBe(2);
    expect(columnsFor(5 * MIN_CELL_WIDTH + 4 * GAP)).toBe(5);
  });

  it('the visible rows and a few beyond each edge, clamped to the rows there are', () => {
    expect(visibleRows(0, 500, 100)).toEqual({ first: 0, last: Math.ceil(500 / ROW_HEIGHT) + OVERSCAN_ROWS });
    expect(visibleRows(10 * ROW_HEIGHT, 2 * ROW_HEIGHT, 100)).toEqual({ first: 10 - OVERSCAN_ROWS, last: 12 + OVERSCAN_ROWS });
    expect(visibleRows(98 * ROW_HEIGHT, 5 * ROW_HEIGHT, 100)).toEqual({ first: 98 - OVERSCAN_ROWS, last: 99 });
    expect(visibleRows(0, 1000, 2)).toEqual({ first: 0, last: 1 });
    expect(visibleRows(0, 1000, 0).last).toBeLessThan(0); // nothing to draw
  });

  it('scrolls a row into view only when it is not, by the least distance', () => {
    const top = 5 * ROW_HEIGHT;
    expect(scrollToShow(5, 0, 500)).toBe(top + ROW_HEIGHT - 500 + GAP); // below: its bottom edge comes up
    expect(scrollToShow(5, top + 100, 500)).toBe(top); // above: its top edge comes down
    expect(scrollToShow(5, top - 100, 500)).toBe(top - 100); // in view: stays
  });
});
