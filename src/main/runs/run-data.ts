// What a run trains on, written for the trainer: one split of a frozen dataset version as JSONL in
// the Hub's VQA layout, with absolute paths into the studio's image store (nothing is copied).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SampleSplit } from '../../shared/datasets';
import type { DatasetStore } from '../data/dataset-store';
import type { VersionSample } from '../data/dataset-versions';
import type { VqaRecord } from '../training/data/vqa-records';

/** A stored sample as the trainer reads it: its photos as files of the image store, its turns. */
export function vqaRecordOf(store: DatasetStore, sample: Pick<VersionSample, 'imageIds' | 'texts'>): VqaRecord {
  return { images: sample.imageIds.map((id) => store.imageFilePath(id)), texts: sample.texts };
}

export function writeVersionSplit(store: DatasetStore, versionId: number, split: SampleSplit, path: string): number {
  const lines: string[] = [];
  for (const sample of store.versionSamples(versionId, split)) lines.push(JSON.stringify(vqaRecordOf(store, sample)));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}
