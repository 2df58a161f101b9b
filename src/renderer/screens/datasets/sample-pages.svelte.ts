// The grid's window onto a dataset: pages of summaries fetched by keyset cursor as the person
// scrolls. samples.page only goes forward from a cursor, so reaching page k needs the cursor that
// page k-1 returned: cursors are kept for good (they are small), pages far from view are dropped.
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
  private readonly cursors = new Map<number, string | null>([[0, null]]);
  private generation = 0;
  private wanted: [number, number] = [0, 0];
  private loading = false;

  constructor(private readonly datasetId: number, private filter: SampleFilter) {}

  /** Starts over (new filter, or the data changed); the scroll position is the caller's. */
  async reset(filter: SampleFilter = this.filter): Promise<void> {
    this.filter = filter;
    this.generation++;
    this.cursors.clear();
    this.cursors.set(0, null);
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

  /** Loads the item at an index (and every page before it that has no cursor yet). */
  async load(index: number): Promise<SampleSummary | undefined> {
    const target = Math.floor(index / PAGE_SIZE);
    const generation = this.generation;
    for (let k = this.firstPageToWalk(target); k <= target; k++) {
      if (!(await this.fetchPage(k, generation))) return undefined;
    }
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

  /** The first page to fetch for the wanted range: a missing page whose cursor is known, or the walk to it. */
  private nextMissing(from: number, to: number): number | null {
    const last = this.lastPage();
    for (let k = this.firstPageToWalk(from); k <= Math.min(to, last); k++) {
      if (!this.pages.has(k) || (k < from && !this.cursors.has(k + 1))) return k;
    }
    return null;
  }

  /** Cursors are contiguous from 0: the first page on the way to `target` whose cursor is the last known. */
  private firstPageToWalk(target: number): number {
    let k = target;
    while (k > 0 && !this.cursors.has(k)) k--;
    return k;
  }

  private lastPage(): number {
    return this.count === null ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.ceil(this.count / PAGE_SIZE) - 1);
  }

  /** Fetches page k; false when it cannot (stale generation, failure, or past the end). */
  private async fetchPage(k: number, generation: number): Promise<boolean> {
    if (this.pages.has(k) && this.cursors.has(k + 1)) return true;
    if (!this.cursors.has(k)) return false;
    const cursor = this.cursors.get(k)!;
    if (k > 0 && cursor === null) return false;
    try {
      const page = await client.call('samples.page', { datasetId: this.datasetId, filter: this.filter, cursor, limit: PAGE_SIZE });
      if (generation !== this.generation) return false;
      this.cursors.set(k + 1, page.nextCursor);
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
