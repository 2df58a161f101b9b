// Train/val/test assignment that never lets one image sit on two sides: samples that share an
// image (directly or through a chain of multi-image samples) form one group, and groups are
// shuffled with a seeded generator and dealt out to reach the ratios. Stratified, the groups are
// first sorted by their first sample's tag or question type, and each stratum is dealt out to the
// ratios on its own, so that every kind of sample keeps the proportions in train, val and test.
import type { SampleSplit, SplitAssignment, SplitLeak, SplitRatios, SplitStratification } from '../../../shared/datasets';
import { questionType } from './question-type';
import type { StudioDatabase } from '../database';
import { mulberry32 } from '../../util/mulberry32';
import { prepared } from '../statement-cache';

class UnionFind {
  private readonly parent = new Map<number, number>();
  find(x: number): number {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    for (let node = x; node !== root;) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    if (!this.parent.has(x)) this.parent.set(x, x);
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
}

/** Groups of live sample ids of a dataset, linked by shared images, each sorted, in id order. */
export function imageGroups(db: StudioDatabase, datasetId: number): number[][] {
  const rows = prepared<[number], { sample_id: number; image_id: string }>(
    db,
    `SELECT si.sample_id, si.image_id FROM sample_images si JOIN samples s ON s.id = si.sample_id
     WHERE s.dataset_id = ? AND s.deleted_at IS NULL ORDER BY si.sample_id`,
  ).all(datasetId);
  const sets = new UnionFind();
  const firstSampleOfImage = new Map<string, number>();
  for (const { sample_id, image_id } of rows) {
    sets.find(sample_id);
    const first = firstSampleOfImage.get(image_id);
    if (first === undefined) firstSampleOfImage.set(image_id, sample_id);
    else sets.union(first, sample_id);
  }
  const groups = new Map<number, number[]>();
  for (const { sample_id } of rows) {
    const root = sets.find(sample_id);
    const g = groups.get(root) ?? [];
    if (g[g.length - 1] !== sample_id) g.push(sample_id);
    groups.set(root, g);
  }
  return [...groups.values()].sort((a, b) => a[0]! - b[0]!);
}

/** Which split each group goes to: shuffled, then filled in order train, val, test by sample count. */
export function dealGroups(groups: readonly number[][], ratios: SplitRatios, seed: number): SampleSplit[] {
  const random = mulberry32(seed);
  const order = groups.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const total = groups.reduce((n, g) => n + g.length, 0);
  const sum = ratios.train + ratios.val + ratios.test;
  const trainEnd = (total * ratios.train) / sum;
  const valEnd = trainEnd + (total * ratios.val) / sum;
  const result: SampleSplit[] = new Array(groups.length);
  let dealt = 0;
  for (const i of order) {
    const middle = dealt + groups[i]!.length / 2; // a group goes where its middle falls
    result[i] = middle <= trainEnd ? 'train' : middle <= valEnd ? 'val' : 'test';
    dealt += groups[i]!.length;
  }
  return result;
}

/** Samples with no tag form this stratum when stratifying by tag. */
export const UNTAGGED = '(no tag)';

/** Each sample's stratum: its first tag in alphabetical order, or its first question's type. */
function sampleStrata(db: StudioDatabase, datasetId: number, by: Exclude<SplitStratification, 'none'>): Map<number, string> {
  if (by === 'tag') {
    const rows = prepared<[number], { id: number; tag: string | null }>(
      db,
      `SELECT s.id, (SELECT min(t.tag) FROM sample_tags t WHERE t.sample_id = s.id) AS tag
       FROM samples s WHERE s.dataset_id = ? AND s.deleted_at IS NULL`,
    ).all(datasetId);
    return new Map(rows.map((r) => [r.id, r.tag ?? UNTAGGED]));
  }
  const rows = prepared<[number], { id: number; question: string | null }>(
    db,
    `SELECT id, json_extract(turns, '$[0].user') AS question FROM samples WHERE dataset_id = ? AND deleted_at IS NULL`,
  ).all(datasetId);
  return new Map(rows.map((r) => [r.id, questionType(r.question ?? '')]));
}

/** Which split each group goes to, each stratum (a group's first sample's) dealt out on its own. */
function dealByStratum(groups: readonly number[][], strata: Map<number, string>, ratios: SplitRatios, seed: number): SampleSplit[] {
  const byStratum = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const name = strata.get(g[0]!)!;
    byStratum.set(name, [...(byStratum.get(name) ?? []), i]);
  });
  const result: SampleSplit[] = new Array(groups.length);
  for (const members of byStratum.values()) {
    const dealt = dealGroups(
      members.map((i) => groups[i]!),
      ratios,
      seed,
    );
    members.forEach((i, k) => (result[i] = dealt[k]!));
  }
  return result;
}

export function assignSplits(
  db: StudioDatabase,
  datasetId: number,
  ratios: SplitRatios,
  seed: number,
  stratify: SplitStratification = 'none',
): SplitAssignment {
  const groups = imageGroups(db, datasetId);
  const strata = stratify === 'none' ? undefined : sampleStrata(db, datasetId, stratify);
  const splits = strata ? dealByStratum(groups, strata, ratios, seed) : dealGroups(groups, ratios, seed);
  const counts: Record<SampleSplit, number> = { train: 0, val: 0, test: 0 };
  const perStratum = new Map<string, Record<SampleSplit, number>>();
  const update = prepared(db, 'UPDATE samples SET split = ?, updated_at = ? WHERE id = ? AND split != ?');
  const now = Date.now();
  db.transaction(() => {
    groups.forEach((group, i) => {
      const split = splits[i]!;
      counts[split] += group.length;
      for (const id of group) {
        update.run(split, now, id, split);
        if (!strata) continue;
        const name = strata.get(id)!;
        const tally = perStratum.get(name) ?? { train: 0, val: 0, test: 0 };
        tally[split]++;
        perStratum.set(name, tally);
      }
    });
  })();
  const byName = [...perStratum].sort(([a], [b]) => a.localeCompare(b)).map(([name, c]) => ({ name, counts: c }));
  return { counts, groups: groups.length, ...(strata ? { strata: byName } : {}) };
}

/** Images whose live samples are in more than one split. */
export function findSplitLeaks(db: StudioDatabase, datasetId: number): SplitLeak[] {
  const rows = prepared<[number], { image_id: string; splits: string; ids: string }>(
    db,
    `SELECT si.image_id, json_group_array(DISTINCT s.split) AS splits, json_group_array(s.id) AS ids
     FROM sample_images si JOIN samples s ON s.id = si.sample_id
     WHERE s.dataset_id = ? AND s.deleted_at IS NULL
     GROUP BY si.image_id HAVING count(DISTINCT s.split) > 1 ORDER BY si.image_id`,
  ).all(datasetId);
  return rows.map((r) => ({
    imageId: r.image_id,
    splits: (JSON.parse(r.splits) as SampleSplit[]).sort(),
    sampleIds: (JSON.parse(r.ids) as number[]).sort((a, b) => a - b),
  }));
}
