import { describe, expect, it } from 'vitest';
import { assembleEmbeddings, type TokenEmbedding } from '../../../src/main/runtime/embeddings';

// vocab of 4 tokens, dim 2: token t embeds as [t, t]
const table: TokenEmbedding = { matrix: Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]), vocab: 4, dim: 2 };
const image = Float32Array.from([10, 11, 20, 21]); // two image embeddings

describe('assembleEmbeddings', () => {
  it('prefix: image embeddings before the text', () => {
    const out = assembleEmbeddings('prefix', table, [1, 2], image);
    expect(out.length).toBe(4);
    expect(Array.from(out.data)).toEqual([10, 11, 20, 21, 1, 1, 2, 2]);
  });

  it('inline/split: placeholders replaced in order', () => {
    const out = assembleEmbeddings('split', table, [1, 3, 2, 3], image, 3);
    expect(out.length).toBe(4);
    expect(Array.from(out.data)).toEqual([1, 1, 10, 11, 2, 2, 20, 21]);
  });

  it('refuses a placeholder count that does not match the images', () => {
    expect(() => assembleEmbeddings('inline', table, [3, 1], image, 3)).toThrow(/1 image placeholders .* 2 embeddings/);
    expect(() => assembleEmbeddings('inline', table, [3, 3, 3], image, 3)).toThrow(/more image placeholders/);
  });

  it('names a token outside the vocabulary', () => {
    expect(() => assembleEmbeddings('prefix', table, [1, 9], new Float32Array(0))).toThrow(/token id 9 at position 1/);
  });
});
