// The KV cache of the last answer, kept for the next one (one slot per loaded model, as chat apps
// do): when a new prompt starts with positions the cache already holds (the next turn of the same
// chat, another question about the same photo) only the positions after them are run, and the
// vision encoder is skipped when no image is among them.
//
// A position is named by what fills it: a token id, or one row of one image's embeddings (by the
// image's content), so that equal names mean equal keys and values in the cache.
import type { Family } from '../model/config';
import { imagesBeforeText } from '../model/family';
import type { DecoderCache } from './kv-cache';

export type PositionKey = string;

export const tokenKey = (id: number): PositionKey => `t${id}`;
/** the position holds an image-embedding row (or a placeholder without one), not a token */
export const isImageRow = (key: PositionKey): boolean => !key.startsWith('t');

/**
 * The names of an assembled prompt's positions, in the order assembleEmbeddings() places them.
 * `imageRowKeys`: one name per image-embedding row (every tile's tokens, images in order).
 */
export function positionKeys(family: Family, ids: readonly number[], imageRowKeys: readonly PositionKey[], imageTokenId: number | undefined): PositionKey[] {
  if (imagesBeforeText(family)) return [...imageRowKeys, ...ids.map(tokenKey)];
  let next = 0;
  return ids.map((id) => (id === imageTokenId ? (imageRowKeys[next++] ?? `missing image row ${next}`) : tokenKey(id)));
}

/** Names for the rows of one image, `rows` long, identified by `content` (a hash of its pixels). */
export function imageRowKeys(content: string, rows: number): PositionKey[] {
  return Array.from({ length: rows }, (_, row) => `i${content}:${row}`);
}

interface Kept {
  keys: PositionKey[];
  cache: DecoderCache;
}

export class PromptCache {
  private kept: Kept | undefined;

  /**
   * The kept cache, cut to the longest prefix it shares with `keys` but always leaving at least the
   * last position to run (its logits pick the next token); undefined when nothing is shared. The
   * slot is emptied: a cache serves one generation at a time.
   */
  take(keys: readonly PositionKey[]): { cache: DecoderCache; reused: number } | undefined {
    const kept = this.kept;
    this.kept = undefined;
    if (!kept) return undefined;
    const limit = Math.min(kept.keys.length, kept.cache.length, keys.length - 1);
    let shared = 0;
    while (shared < limit && kept.keys[shared] === keys[shared]) shared++;
    if (shared === 0) return undefined;
    kept.cache.truncate(shared);
    return { cache: kept.cache, reused: shared };
  }

  /** Keep `cache` (holding the positions named by `keys`) for the next generation. */
  keep(keys: PositionKey[], cache: DecoderCache): void {
    this.kept = { keys: keys.slice(0, cache.length), cache };
  }

  clear(): void {
    this.kept = undefined;
  }
}
