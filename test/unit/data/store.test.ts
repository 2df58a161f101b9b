// The store against a real database file: images by content, samples, the grid query and its
// filters, full-text search, bulk actions with undo, splits, and versions.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetStore } from '../../../src/main/data/dataset-store';
import { InvalidImageIdError } from '../../../src/main/data/images/image-id';
import { generatedJpeg, photo, tempStore } from '../../helpers/data-fixtures';

let store: DatasetStore;
let close: () => void;
let dataDir: string;

beforeEach(() => {
  ({ store, close, dataDir } = tempStore());
});
afterEach(() => close());

async function seedSamples(n: number): Promise<{ datasetId: number; imageIds: string[] }> {
  const datasetId = store.createDataset('seeded').id;
  const imageIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const image = await store.addImage(await generatedJpeg(i));
    imageIds.push(image.id);
    store.createSample(datasetId, {
      imageIds: [image.id],
      turns: [
        {
          user: `What colour is thing ${i}?`,
          assistant: i % 2 ? 'It is red.' : 'Blue, mostly.',
          origin: i % 3 === 0 ? 'model' : 'import',
          model: 'nanoVLM-222M',
        },
      ],
      tags: i % 4 === 0 ? ['outdoor'] : [],
    });
  }
  return { datasetId, imageIds };
}

describe('images', () => {
  it('stores a file once by sha256, with its size, format and a cached 256-pixel WebP thumbnail', async () => {
    const a = await store.addImage(photo('chelsea.png'));
    const b = await store.addImage(photo('chelsea.png'));
    expect(a).toEqual(b);
    expect(a).toMatchObject({ width: 451, height: 300, format: 'png', bytes: photo('chelsea.png').byteLength });
    const path = store.imageFilePath(a.id);
    expect(path.startsWith(`${dataDir}/images/${a.id.slice(0, 2)}/`)).toBe(true);
    expect(readFileSync(path).equals(photo('chelsea.png'))).toBe(true);
    const thumb = await store.thumbnailPath(a.id);
    expect(readFileSync(thumb).subarray(8, 12).toString()).toBe('WEBP');
    expect(store.db.prepare('SELECT count(*) AS n FROM images').get()).toEqual({ n: 1 });
  });

  it('makes a missing thumbnail on demand', async () => {
    const { rmSync } = await import('node:fs');
    const img = await store.addImage(photo('rocket.jpg'));
    const thumb = await store.thumbnailPath(img.id);
    rmSync(thumb);
    expect(await store.thumbnailPath(img.id)).toBe(thumb);
    expect(existsSync(thumb)).toBe(true);
  });

  it('refuses ids that are not ids (the web door never turns a request into a path)', () => {
    expect(() => store.imageFilePath('../../etc/passwd')).toThrow(InvalidImageIdError);
    expect(() => store.imageFilePath('a'.repeat(64))).toThrow(/no image/);
  });

  it('refuses bad images with a reason', async () => {
    await expect(store.addImage(Buffer.alloc(0))).rejects.toThrow('empty file');
    await expect(store.addImage(Buffer.from('hello'))).rejects.toThrow('not an image');
    const rocket = photo('rocket.jpg');
    await expect(store.addImage(rocket.subarray(0, rocket.length >> 1))).rejects.toThrow(/corrupt or truncated/);
  });
});

describe('samples', () => {
  it('creates, reads and edits a sample: turns added, edited, reordered, deleted; several images', async () => {
    const datasetId = store.createDataset('edit').id;
    const a = await store.addImage(photo('coffee.png'));
    const b = await store.addImage(photo('astronaut.png'));
    const s = store.createSample(datasetId, { imageIds: [a.id], turns: [{ user: 'What is this?', assistant: 'Coffee.', origin: 'model', model: 'm1' }] });
    expect(s.turns).toEqual([{ user: 'What is this?', assistant: 'Coffee.', origin: 'model', model: 'm1' }]);
    expect(s.status).toBe('done');
    const edited = store.updateSample(s.id, {
      imageIds: [b.id, a.id],
      turns: [
        { user: 'Two photos?', assistant: 'Yes.' },
        { user: 'What is this?', assistant: 'A cup of coffee.' },
      ],
      status: 'review',
      tags: ['kitchen', 'space'],
    });
    expect(edited.images.map((i) => i.id)).toEqual([b.id, a.id]);
    expect(edited.turns.map((t) => t.origin)).toEqual(['person', 'person']);
    expect(edited.tags).toEqual(['kitchen', 'space']);
    const fewer = store.updateSample(s.id, { turns: [edited.turns[1]!] });
    expect(fewer.turns).toHaveLength(1);
    expect(store.pageSamples({ datasetId, filter: { text: 'cup' } }).items.map((i) => i.id)).toEqual([s.id]);
    expect(store.pageSamples({ datasetId, filter: { text: 'photos' } }).items).toEqual([]);
    expect(() => store.updateSample(s.id, { imageIds: ['f'.repeat(64)] })).toThrow(/no image/);
    expect(store.getSample(s.id)!.images).toHaveLength(2); // the failed edit rolled back
  });

  it('pages through the grid by keyset with filters by status, split, tag, origin and text', async () => {
    const { datasetId } = await seedSamples(12);
    const first = store.pageSamples({ datasetId, limit: 5 });
    const second = store.pageSamples({ datasetId, limit: 5, cursor: first.nextCursor });
    const third = store.pageSamples({ datasetId, limit: 5, cursor: second.nextCursor });
    const ids = [...first.items, ...second.items, ...third.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(12);
    expect(third.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ firstQuestion: 'What colour is thing 0?', turnCount: 1, status: 'done', split: 'train', origins: ['model'] });
    expect(first.items[0]!.imageIds).toHaveLength(1);
    const desc = store.pageSamples({ datasetId, order: 'desc', limit: 3 });
    expect(desc.items.map((i) => i.id)).toEqual([...ids].reverse().slice(0, 3));

    expect(store.countSamples(datasetId, { tag: 'outdoor' })).toBe(3);
    expect(store.countSamples(datasetId, { origin: ['model'] })).toBe(4);
    expect(store.countSamples(datasetId, { text: 'red' })).toBe(6);
    expect(store.countSamples(datasetId, { text: 'colour thing' })).toBe(12);
    expect(store.countSamples(datasetId, { text: 'blu' })).toBe(6); // prefix match
    expect(store.countSamples(datasetId, { text: '"); DROP TABLE samples; --' })).toBe(0);
    expect(store.countSamples(datasetId, { text: 'red', tag: 'outdoor' })).toBe(0);
    expect(store.countSamples(datasetId, { status: ['todo'] })).toBe(0);
    const page = store.pageSamples({ datasetId, filter: { text: 'red', origin: ['import'] }, limit: 2 });
    expect(page.items.every((i) => i.firstAnswer === 'It is red.' && i.origins.includes('import'))).toBe(true);
  });

  it('flags exact duplicates', async () => {
    const datasetId = store.createDataset('dups').id;
    const img = await store.addImage(photo('rocket.jpg'));
    const a = store.createSample(datasetId, { imageIds: [img.id], turns: [{ user: 'Q', assistant: 'A' }] });
    const b = store.createSample(datasetId, { imageIds: [img.id], turns: [{ user: 'Q', assistant: 'A', origin: 'model', model: 'x' }] });
    expect(b.duplicateOf).toBe(a.id);
    expect(store.countSamples(datasetId, { duplicatesOnly: true })).toBe(1);
    expect(store.updateSample(b.id, { turns: [{ user: 'Q', assistant: 'B' }] }).duplicateOf).toBeNull();
  });
});

describe('bulk actions', () => {
  it('changes status, split and tags of a selection, by ids or by filter', async () => {
    const { datasetId } = await seedSamples(8);
    const ids = store.pageSamples({ datasetId, limit: 3 }).items.map((i) => i.id);
    expect(store.bulkUpdate({ datasetId, ids }, { status: 'review', split: 'val', addTags: ['check'] })).toBe(3);
    expect(store.countSamples(datasetId, { status: ['review'], split: ['val'], tag: 'check' })).toBe(3);
    expect(store.bulkUpdate({ datasetId, filter: { tag: 'check' } }, { removeTags: ['check'], status: 'rejected' })).toBe(3);
    expect(store.countSamples(datasetId, { tag: 'check' })).toBe(0);
    expect(store.countSamples(datasetId, { status: ['rejected'] })).toBe(3);
  });

  it('deletes a selection and restores it with the undo token', async () => {
    const { datasetId } = await seedSamples(6);
    const before = store.pageSamples({ datasetId });
    const result = store.deleteSamples({ datasetId, filter: { text: 'red' } });
    expect(result.deleted).toBe(3);
    expect(store.countSamples(datasetId)).toBe(3);
    expect(store.listDatasets()[0]!.sampleCount).toBe(3);
    expect(store.restoreSamples(result.undoToken)).toBe(3);
    expect(store.pageSamples({ datasetId })).toEqual(before);
    expect(store.restoreSamples(result.undoToken)).toBe(0);
  });
});

describe('splits', () => {
  it('assigns splits by seeded random with ratios, every sample of one image on one side', async () => {
    const datasetId = store.createDataset('splits').id;
    const images = await Promise.all(Array.from({ length: 40 }, async (_, i) => (await store.addImage(await generatedJpeg(i))).id));
    for (let i = 0; i < 40; i++) {
      for (let q = 0; q < 1 + (i % 3); q++) store.createSample(datasetId, { imageIds: [images[i]!], turns: [{ user: `q${q}`, assistant: 'a' }] });
    }
    // a two-image sample links images 0 and 1 into one group
    store.createSample(datasetId, { imageIds: [images[0]!, images[1]!], turns: [{ user: 'both', assistant: 'b' }] });
    store.bulkUpdate({ datasetId, filter: { text: 'q1' } }, { split: 'test' });
    expect(store.findSplitLeaks(datasetId).length).toBeGreaterThan(0);

    const result = store.assignSplits(datasetId, { train: 0.8, val: 0.1, test: 0.1 }, 42);
    expect(result.groups).toBe(39);
    expect(store.findSplitLeaks(datasetId)).toEqual([]);
    const total = result.counts.train + result.counts.val + result.counts.test;
    expect(total).toBe(80);
    expect(result.counts.train / total).toBeGreaterThan(0.7);
    expect(result.counts.val).toBeGreaterThan(0);
    const again = store.assignSplits(datasetId, { train: 0.8, val: 0.1, test: 0.1 }, 42);
    expect(again.counts).toEqual(result.counts);
    const other = store.assignSplits(datasetId, { train: 0.8, val: 0.1, test: 0.1 }, 7);
    expect(store.findSplitLeaks(datasetId)).toEqual([]);
    expect(other.groups).toBe(39);
  });
});

describe('stratified splits', () => {
  /** 40 samples, one image each: 20 counting questions tagged "count", 12 colour ones tagged "colour", 8 yes/no untagged. */
  async function seedKinds(): Promise<number> {
    const datasetId = store.createDataset('kinds').id;
    const kinds = [
      ...Array<string>(20).fill('How many dots are there?'),
      ...Array<string>(12).fill('What colour is it?'),
      ...Array<string>(8).fill('Is it big?'),
    ];
    for (const [i, question] of kinds.entries()) {
      const image = await store.addImage(await generatedJpeg(100 + i));
      const tag = question.startsWith('How') ? ['count'] : question.startsWith('What') ? ['colour'] : [];
      store.createSample(datasetId, { imageIds: [image.id], turns: [{ user: question, assistant: 'x' }], tags: tag });
    }
    return datasetId;
  }

  const ratios = { train: 0.5, val: 0.25, test: 0.25 };

  it.each(['tag', 'question-type'] as const)('by %s keeps every stratum in the proportions, the same again with the same seed', async (by) => {
    const datasetId = await seedKinds();
    const result = store.assignSplits(datasetId, ratios, 3, by);
    const names = by === 'tag' ? ['(no tag)', 'colour', 'count'] : ['colour', 'count', 'yes/no'];
    expect(result.strata!.map((s) => s.name)).toEqual(names);
    const expected: Record<string, object> = {
      count: { train: 10, val: 5, test: 5 },
      colour: { train: 6, val: 3, test: 3 },
      'yes/no': { train: 4, val: 2, test: 2 },
      '(no tag)': { train: 4, val: 2, test: 2 },
    };
    for (const stratum of result.strata!) expect(stratum.counts).toEqual(expected[stratum.name]);
    expect(result.counts).toEqual({ train: 20, val: 10, test: 10 });
    // the samples' splits in the database say the same
    const colourCounts = { train: 0, val: 0, test: 0 };
    for (const item of store.pageSamples({ datasetId, filter: { tag: 'colour' }, limit: 100 }).items) colourCounts[item.split]++;
    expect(colourCounts).toEqual({ train: 6, val: 3, test: 3 });
    expect(store.assignSplits(datasetId, ratios, 3, by)).toEqual(result);
  });

  it('without strata gives no per-stratum counts', async () => {
    const datasetId = await seedKinds();
    expect(store.assignSplits(datasetId, ratios, 3).strata).toBeUndefined();
  });
});

describe('versions', () => {
  it('freezes the trainable samples under a content hash; the same content gives the same version', async () => {
    const { datasetId } = await seedSamples(5);
    const ids = store.pageSamples({ datasetId }).items.map((i) => i.id);
    store.bulkUpdate({ datasetId, ids: [ids[0]!] }, { status: 'rejected' });
    store.updateSample(ids[1]!, { turns: [{ user: 'Unanswered?', assistant: '' }] });
    const v1 = store.createVersion(datasetId, { note: 'first' });
    expect(v1.sampleCount).toBe(3);
    expect(v1.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(store.createVersion(datasetId).id).toBe(v1.id);

    store.updateSample(ids[2]!, { turns: [{ user: 'Changed', assistant: 'yes' }] });
    const v2 = store.createVersion(datasetId);
    expect(v2.id).not.toBe(v1.id);
    expect([...store.versionSamples(v1.id)].map((s) => s.texts[0]!.user)).not.toContain('Changed');
    expect([...store.versionSamples(v2.id)].map((s) => s.texts[0]!.user)).toContain('Changed');
    expect(() => store.db.prepare('UPDATE dataset_versions SET note = ? WHERE id = ?').run('x', v1.id)).toThrow(/immutable/);
    expect(() => store.db.prepare('DELETE FROM dataset_version_samples WHERE version_id = ?').run(v1.id)).toThrow(/immutable/);
    expect(() => store.deleteDataset(datasetId)).toThrow(/version/);
    expect(store.listVersions(datasetId).map((v) => v.id)).toEqual([v1.id, v2.id]);
  });

  /** A dataset of 6 trainable samples frozen as v1, then changed in every way a person changes one. */
  async function changedSinceVersion() {
    const { datasetId, imageIds } = await seedSamples(6);
    const ids = store.pageSamples({ datasetId }).items.map((i) => i.id);
    const v1 = store.createVersion(datasetId, { note: 'v1' });
    store.updateSample(ids[0]!, { turns: [{ user: 'Edited question?', assistant: 'Edited.' }] }); // edited texts
    store.updateSample(ids[1]!, { split: 'test' }); // edited split
    store.deleteSamples({ datasetId, ids: [ids[2]!] }); // deleted
    store.bulkUpdate({ datasetId, ids: [ids[3]!] }, { status: 'rejected' }); // rejected: out of the trainable set
    const added = store.createSample(datasetId, { imageIds: [imageIds[0]!], turns: [{ user: 'A new one?', assistant: 'Yes.' }] });
    return { datasetId, ids, v1, added };
  }

  it('says what changed between two versions and since a version: added, removed, edited, each with what changed', async () => {
    const { datasetId, ids, v1, added } = await changedSinceVersion();
    const diff = store.diffVersions(datasetId, v1.id, 'current');
    expect(diff.to).toBe('current');
    expect(diff.counts).toEqual({ added: 1, removed: 2, edited: 2, unchanged: 2 });
    expect(diff.added.map((s) => [s.sampleId, s.question])).toEqual([[added.id, 'A new one?']]);
    expect(diff.removed.map((s) => s.sampleId).sort()).toEqual([ids[2], ids[3]].sort());
    expect(diff.edited.map((e) => [e.sampleId, e.changed])).toEqual([
      [ids[0], ['texts']],
      [ids[1], ['split']],
    ]);
    expect(diff.edited[0]!.after.question).toBe('Edited question?');
    const v2 = store.createVersion(datasetId);
    expect(store.diffVersions(datasetId, v1.id, v2.id).counts).toEqual(diff.counts);
    expect(store.diffVersions(datasetId, v2.id, v1.id).counts).toEqual({ added: 2, removed: 1, edited: 2, unchanged: 2 });
    const other = store.createDataset('other').id;
    expect(() => store.diffVersions(other, v1.id, 'current')).toThrow(/belongs to another dataset/);
  });

  it('restores a version exactly, keeping what was there as a version of its own that restores back', async () => {
    const { datasetId, v1, added } = await changedSinceVersion();
    const before = store.createVersion(datasetId); // what the dataset is before the restore
    const result = store.restoreVersion(datasetId, v1.id);
    expect(result.restored.id).toBe(v1.id);
    expect(result.savedAs?.id).toBe(before.id);
    expect(result.counts).toEqual({ added: 2, removed: 1, edited: 2, unchanged: 2 });
    // the trainable samples are the version's again: the same content hash, so the same version
    expect(store.createVersion(datasetId).id).toBe(v1.id);
    expect(store.getSample(added.id)).toBeNull(); // deleted, with an undo token
    expect(result.undoToken).toBeTruthy();
    // and back again
    store.restoreVersion(datasetId, before.id);
    expect(store.createVersion(datasetId).id).toBe(before.id);
    expect(store.getSample(added.id)?.turns[0]!.user).toBe('A new one?');
  });
});
