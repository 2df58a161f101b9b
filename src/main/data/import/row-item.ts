// A parsed row with its image references resolved: the ImportEntry the runner consumes.
import { imageSourceFromString } from './image-source';
import { skip, type ImageSource, type ImportEntry } from './import-entry';
import { parseRow } from './row-layouts';

export function rowEntry(value: unknown, where: string, baseDir: string): ImportEntry {
  try {
    const row = parseRow(value);
    if (row.images.length === 0) return skip(where, 'no image');
    const images: ImageSource[] = row.images.map((ref, i) => imageSourceFromString(ref, baseDir, `images[${i}]`));
    return { item: { where, images, texts: row.texts, split: row.split, status: row.status, tags: row.tags } };
  } catch (err) {
    return skip(where, (err as Error).message);
  }
}
