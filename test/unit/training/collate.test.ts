// Left padding as nanoVLM's collator does it, checked against the fixture's padded batch.
import { describe, expect, it } from 'vitest';
import { PADDED_BATCH_NAMES, readBatchFile } from '../../../src/main/cli/batch-file';
import { collate } from '../../../src/main/training/data/collate';
import { expectedFile } from './fixtures';

describe('collate', () => {
  it('rebuilds the fixture’s left-padded batch from its unpadded rows', () => {
    const padded = readBatchFile(expectedFile('split'), PADDED_BATCH_NAMES);
    const perImage = padded.pixelValues.length / padded.imageCount;
    const tilesPerRow = padded.imageCount / padded.rows;
    const samples = [0, 1].map((r) => {
      const row = (a: Int32Array) => Array.from(a.subarray(r * padded.length, (r + 1) * padded.length));
      const mask = row(padded.attentionMask!);
      const first = mask.indexOf(1);
      return {
        inputIds: row(padded.inputIds).slice(first),
        targets: row(padded.targets).slice(first),
        pixels: padded.pixelValues.subarray(r * tilesPerRow * perImage, (r + 1) * tilesPerRow * perImage),
        tileCount: tilesPerRow,
      };
    });
    const padId = padded.inputIds[padded.attentionMask!.indexOf(0)]!;
    const batch = collate(samples, padId);
    expect(batch.length).toBe(padded.length);
    expect(Array.from(batch.inputIds)).toEqual(Array.from(padded.inputIds));
    expect(Array.from(batch.targets)).toEqual(Array.from(padded.targets));
    expect(Array.from(batch.attentionMask!)).toEqual(Array.from(padded.attentionMask!));
    expect(batch.pixelValues).toEqual(padded.pixelValues);
    expect(batch.imageCount).toBe(padded.imageCount);
  });
});
