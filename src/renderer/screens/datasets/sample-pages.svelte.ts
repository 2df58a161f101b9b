// The grid's window onto a dataset: pages of summaries fetched by offset as the person scrolls,
// so a scrollbar jump to the end of 100,000 samples loads one page, not every page before it.
// Pages far from view are dropped to bound memory.
import { SvelteMap } from 'svelte/reactivity';
import type { SampleFilter, SampleSummary } from '../../../shared/datasets';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';

export const PAGE_SIZE = 200;
/** pages kept around the wanted range; the rest are dropped to bound memory at 100,000 samples */
const KEEP_PAGES = 12;

export class SamplePages {
  /** total matching the filter; null until counted */
  count = $state<number | null>(null);
  readonly pages = new SvelteMap<number, SampleSummary[]>();
  private generation = 0;
  private wanted: [number, number] = [0, 0];
  private loading = false;

  constructor(
    private readonly datasetId: number,
    private filter: SampleFilter,
  ) {}

  /** Starts over (new filter, or the data changed); the scroll position is the caller's. */
  async reset(filter: SampleFilter = this.filter): Promise<void> {
    this.filter = filter;
    this.generation++;
    this.pages.clear();
    const generation = this.generation;
    try {
      const { count } = await client.call('samples.count', { datasetId: this.datasetId, filter });
      if (generation === this.generation) this.count = count;
    } catch (err) {
      reportError(err, 'Could not count the samples');
    }
    void this.pump();
  }

  itemAt(index: number): SampleSummary | undefined {
    return this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Asks for the items from..to (indices, inclusive) to be loaded. */
  want(from: number, to: number): void {
    this.wanted = [Math.floor(Math.max(0, from) / PAGE_SIZE), Math.floor(Math.max(0, to) / PAGE_SIZE)];
    void this.pump();
  }

  /** Loads the item at an index. */
  async load(index: number): Promise<SampleSummary | undefined> {
    if (!(await this.fetchPage(Math.floor(index / PAGE_SIZE), this.generation))) return undefined;
    return this.itemAt(index);
  }

  /** Replaces one summary wherever it is loaded (after an edit). */
  patch(summary: SampleSummary): void {
    for (const [k, items] of this.pages) {
      const i = items.findIndex((s) => s.id === summary.id);
      if (i >= 0) this.pages.set(k, items.with(i, summary));
    }
  }

  indexOf(id: number): number {
    for (const [k, items] of this.pages) {
      const i = items.findIndex((s) => s.id === id);
      if (i >= 0) return k * PAGE_SIZE + i;
    }
    return -1;
  }

  loadedSummaries(): SampleSummary[] {
    return [...this.pages.values()].flat();
  }

  private async pump(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      for (;;) {
        const generation = this.generation;
        const [from, to] = this.wanted;
        const next = this.nextMissing(from, to);
        if (next === null) break;
        if (!(await this.fetchPage(next, generation)) && generation === this.generation) break;
      }
      this.evict();
    } finally {
      this.loading = false;
    }
  }

  /** The first page of the wanted range that is not loaded yet. */
  private nextMissing(from: number, to: number): number | null {
    for (let k = from; k <= Math.min(to, this.lastPage()); k++) if (!this.pages.has(k)) return k;
    return null;
  }

  private lastPage(): number {
    return this.count === null ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.ceil(this.count / PAGE_SIZE) - 1);
  }

  /** Fetches page k; false when it cannot (stale generation, failure, or past the end). */
  private async fetchPage(k: number, generation: number): Promise<boolean> {
    if (this.pages.has(k)) return true;
    if (k > this.lastPage()) return false;
    try {
      const page = await client.call('samples.page', { datasetId: this.datasetId, filter: this.filter, offset: k * PAGE_SIZE, limit: PAGE_SIZE });
      if (generation !== this.generation) return false;
      this.pages.set(k, page.items);
      return true;
    } catch (err) {
      reportError(err, 'Could not load samples');
      return false;
    }
  }

  private evict(): void {
    const [from, to] = this.wanted;
    for (const k of this.pages.keys()) if (k < from - KEEP_PAGES || k > to + KEEP_PAGES) this.pages.delete(k);
  }
}
