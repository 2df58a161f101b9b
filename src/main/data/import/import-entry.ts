// What every import reader yields: an item to import (images + texts, and what the row says of
// its split, status and tags) or a skip with its reason, each naming where it came from.
import type { SampleSplit, SampleStatus } from '../../../shared/datasets';

/** An image named by a row: a file path (already resolved), inline bytes, or a data URL. */
export type ImageSource = { kind: 'path'; path: string; label: string } | { kind: 'bytes'; bytes: Uint8Array; label: string };

export interface ImportItem {
  /** "file" or "file:line N" / "file:row N" */
  where: string;
  images: ImageSource[];
  texts: { user: string; assistant: string }[];
  split?: SampleSplit;
  status?: SampleStatus;
  tags?: string[];
}

export type ImportEntry = { item: ImportItem } | { skip: { where: string; reason: string } };

export function skip(where: string, reason: string): ImportEntry {
  return { skip: { where, reason } };
}
