// The grid's selection: listed samples (click, Space, Shift for ranges), or every sample that
// matches the filter (Ctrl+A), which bulk actions send as a filter so that 100,000 need no list.
import { SvelteSet } from 'svelte/reactivity';
import type { SampleFilter, Selection } from '../../../shared/datasets';

export class GridSelection {
  readonly ids = new SvelteSet<number>();
  allMatching = $state(false);
  /** index where the last plain toggle happened, for Shift ranges */
  anchor = $state<number | null>(null);

  size(total: number): number {
    return this.allMatching ? total : this.ids.size;
  }

  isEmpty(): boolean {
    return !this.allMatching && this.ids.size === 0;
  }

  has(id: number): boolean {
    return this.allMatching || this.ids.has(id);
  }

  toggle(id: number, index: number): void {
    this.allMatching = false;
    if (this.ids.has(id)) this.ids.delete(id);
    else this.ids.add(id);
    this.anchor = index;
  }

  addRange(ids: number[]): void {
    this.allMatching = false;
    for (const id of ids) this.ids.add(id);
  }

  selectAll(): void {
    this.ids.clear();
    this.allMatching = true;
  }

  clear(): void {
    this.ids.clear();
    this.allMatching = false;
    this.anchor = null;
  }

  /** `shown`: how many samples the grid says match, which the studio checks before acting on a filter. */
  toApi(datasetId: number, filter: SampleFilter, shown: number | null): Selection {
    if (!this.allMatching) return { datasetId, ids: [...this.ids] };
    return shown === null ? { datasetId, filter } : { datasetId, filter, expectedCount: shown };
  }
}
