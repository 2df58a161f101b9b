// One open dataset: its summary, the filters, the grid's pages, the selection, where the keyboard
// focus is, which sample the editor shows, and every change to samples (all undoable).
import type {
  BulkChange,
  BulkSelection,
  DatasetSummary,
  Sample,
  SampleFilter,
  SamplePage,
  SamplePatch,
  SampleSummary,
  Selection,
  SplitLeak,
} from '../../../shared/datasets';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';
import { say } from './feedback.svelte';
import { History } from './history.svelte';
import { SamplePages } from './sample-pages.svelte';
import { summaryOf } from './sample-summary';
import { GridSelection } from './selection.svelte';
import { pushAll } from '../../../shared/array-utils';

type Prior = Pick<SampleSummary, 'id' | 'status' | 'split' | 'tags'>;

/** What the editor must hear about: a sample changed by undo/redo or a grid key while it is open. */
export interface OpenSampleListener {
  external(sample: Sample): void;
}

export class Workspace {
  dataset = $state.raw<DatasetSummary | null>(null);
  filter = $state.raw<SampleFilter>({});
  readonly pages: SamplePages;
  readonly selection = new GridSelection();
  readonly history = new History();
  /** the grid's keyboard position (an index into the filtered list) */
  focusIndex = $state(0);
  /** the index the editor shows, or null when the grid is shown */
  editorIndex = $state<number | null>(null);
  leaks = $state.raw<SplitLeak[]>([]);
  /** the dataset's tags, most used first (datasets.tags) */
  tags = $state.raw<string[]>([]);
  openSample: OpenSampleListener | null = null;

  constructor(readonly datasetId: number) {
    this.pages = new SamplePages(datasetId, {});
  }

  async load(): Promise<void> {
    await Promise.all([this.refreshDataset(), this.pages.reset(this.filter), this.checkLeaks()]);
  }

  setFilter(filter: SampleFilter): void {
    this.filter = filter;
    this.selection.clear();
    this.focusIndex = 0;
    void this.pages.reset(filter);
  }

  /** Reloads what the grid shows and the dataset's counts (after imports, bulk actions, deletes). */
  async refresh(): Promise<void> {
    await Promise.all([this.pages.reset(this.filter), this.refreshDataset()]);
  }

  /** The dataset's summary (counts) and its tags. */
  async refreshDataset(): Promise<void> {
    try {
      const [dataset, tags] = await Promise.all([
        client.call('datasets.get', { id: this.datasetId }),
        client.call('datasets.tags', { datasetId: this.datasetId }),
      ]);
      this.dataset = dataset;
      this.tags = tags.map((t) => t.tag);
    } catch (err) {
      reportError(err, 'Could not load the dataset');
    }
  }

  async checkLeaks(): Promise<void> {
    try {
      this.leaks = await client.call('datasets.splitLeaks', { datasetId: this.datasetId });
    } catch (err) {
      reportError(err, 'Could not check the splits');
    }
  }

  /** Everything the tags filter and tag dialog can suggest: the dataset's tags, most used first,
   * then any just added to loaded samples that the last count has not seen yet. */
  knownTags(): string[] {
    return [...new Set([...this.tags, ...this.pages.loadedSummaries().flatMap((s) => s.tags)])];
  }

  applySample(sample: Sample): void {
    this.pages.patch(summaryOf(sample));
    this.openSample?.external(sample);
  }

  /** Saves a change to one sample and records how to undo it; null when it failed (reported). */
  async changeSample(before: Sample | SampleSummary, patch: SamplePatch, label: string): Promise<Sample | null> {
    try {
      const sample = await client.call('samples.update', { id: before.id, patch });
      this.applySample(sample);
      const inverse = inversePatch(before, patch);
      this.history.push({
        label,
        undo: async () => this.applySample(await client.call('samples.update', { id: before.id, patch: inverse })),
        redo: async () => this.applySample(await client.call('samples.update', { id: before.id, patch })),
      });
      if (patch.split) void this.checkLeaks();
      if (patch.status || patch.split || patch.tags) void this.refreshDataset();
      return sample;
    } catch (err) {
      reportError(err, `Could not save sample ${before.id}`);
      return null;
    }
  }

  /** The selection, or the focused sample when nothing is selected. */
  target(): Selection | null {
    if (!this.selection.isEmpty()) return this.selection.toApi(this.datasetId, this.filter, this.pages.count);
    const focused = this.pages.itemAt(this.editorIndex ?? this.focusIndex);
    return focused ? { datasetId: this.datasetId, ids: [focused.id] } : null;
  }

  async bulkChange(selection: Selection, change: BulkChange, label: string): Promise<void> {
    try {
      const prior = await this.priorValues(selection);
      const ids = prior.map((p) => p.id);
      const { updated } = await client.call('samples.bulkUpdate', { selection: { datasetId: this.datasetId, ids }, change });
      this.history.push({
        label,
        undo: async () => {
          await restorePrior(this.datasetId, prior, change);
          await this.afterBulk(ids);
        },
        redo: async () => {
          await client.call('samples.bulkUpdate', { selection: { datasetId: this.datasetId, ids }, change });
          await this.afterBulk(ids);
        },
      });
      await this.afterBulk(ids);
      say(`${label}: ${updated} ${updated === 1 ? 'sample' : 'samples'} · Ctrl+Z undoes`);
    } catch (err) {
      reportError(err, `Could not ${label.toLowerCase()}`);
    }
  }

  async deleteSelection(target: Selection): Promise<void> {
    try {
      // a selection by filter carries the count the grid shows, which the studio checks
      if ('filter' in target && target.expectedCount === undefined) throw new Error('the grid is still counting the samples; try again in a moment');
      const selection = target as BulkSelection;
      let { deleted, undoToken } = await client.call('samples.delete', { selection });
      const label = `Delete ${deleted} ${deleted === 1 ? 'sample' : 'samples'}`;
      this.history.push({
        label,
        undo: async () => {
          await client.call('samples.restore', { undoToken });
          await this.refresh();
        },
        redo: async () => {
          ({ undoToken } = await client.call('samples.delete', { selection }));
          await this.refresh();
        },
      });
      this.selection.clear();
      this.editorIndex = null;
      await this.refresh();
      this.focusIndex = Math.min(this.focusIndex, Math.max(0, (this.pages.count ?? 1) - 1));
      say(`Deleted ${deleted} ${deleted === 1 ? 'sample' : 'samples'} · Ctrl+Z undoes`);
    } catch (err) {
      reportError(err, 'Could not delete');
    }
  }

  /** After a bulk change: patch what is loaded, so the grid keeps its order and place. */
  private async afterBulk(ids: number[]): Promise<void> {
    const loaded = new Set(this.pages.loadedSummaries().map((s) => s.id));
    const visible = ids.filter((id) => loaded.has(id));
    if (visible.length > 400) {
      await this.refresh();
    } else {
      for (const id of visible) this.applySample(await client.call('samples.get', { id }));
      void this.refreshDataset();
    }
    void this.checkLeaks();
  }

  /** Status, split and tags of every selected sample before a bulk change, to undo it. */
  private async priorValues(selection: Selection): Promise<Prior[]> {
    if ('ids' in selection) {
      const loaded = new Map(this.pages.loadedSummaries().map((s) => [s.id, s]));
      return Promise.all(selection.ids.map(async (id) => loaded.get(id) ?? (await client.call('samples.get', { id }))));
    }
    const prior: Prior[] = [];
    let cursor: string | null = null;
    do {
      const page: SamplePage = await client.call('samples.page', { datasetId: this.datasetId, filter: selection.filter, cursor, limit: 500 });
      pushAll(prior, page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return prior;
  }
}

function inversePatch(before: Sample | SampleSummary, patch: SamplePatch): SamplePatch {
  const inverse: SamplePatch = {};
  if (patch.status) inverse.status = before.status;
  if (patch.split) inverse.split = before.split;
  if (patch.tags) inverse.tags = before.tags;
  if (patch.turns && 'turns' in before) inverse.turns = before.turns;
  if (patch.imageIds) inverse.imageIds = 'images' in before ? before.images.map((i) => i.id) : before.imageIds;
  return inverse;
}

function groupBy<K extends string>(prior: Prior[], key: (p: Prior) => K): Map<K, number[]> {
  const groups = new Map<K, number[]>();
  for (const p of prior) groups.set(key(p), [...(groups.get(key(p)) ?? []), p.id]);
  return groups;
}

/** Puts back status, split and tags as they were before `change`. */
async function restorePrior(datasetId: number, prior: Prior[], change: BulkChange): Promise<void> {
  const update = (ids: number[], c: BulkChange) => client.call('samples.bulkUpdate', { selection: { datasetId, ids }, change: c });
  if (change.status) for (const [status, ids] of groupBy(prior, (p) => p.status)) await update(ids, { status });
  if (change.split) for (const [split, ids] of groupBy(prior, (p) => p.split)) await update(ids, { split });
  for (const tag of change.addTags ?? []) {
    const ids = prior.filter((p) => !p.tags.includes(tag)).map((p) => p.id);
    if (ids.length) await update(ids, { removeTags: [tag] });
  }
  for (const tag of change.removeTags ?? []) {
    const ids = prior.filter((p) => p.tags.includes(tag)).map((p) => p.id);
    if (ids.length) await update(ids, { addTags: [tag] });
  }
}
