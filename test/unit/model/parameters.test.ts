// Exact parameter counts per optimiser group, against numbers found independently of
// parameters.ts: the tensors nanoVLM itself saved in the golden fixtures (read straight from the
// safetensors headers), and the published sizes of the backbones nanoVLM-222M and nanoVLM-230M-8k
// are built from (SigLIP base: 92,884,224 with its pooling head of 7,087,104, which nanoVLM drops;
// SmolLM2-135M: 134,515,008 with its 49,152-token vocabulary).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridExtraTokens, parseConfig, type Family } from '../../../src/main/model/config';
import { GROUP_PREFIXES, parameterCount, parameterGroupCounts } from '../../../src/main/model/parameters';
import { fixtureDir } from '../../helpers/fixture-paths';

/** Elements per group prefix of every tensor in a safetensors file, read from its header alone. */
function storedCounts(file: string): Record<string, number> {
  const bytes = readFileSync(file);
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape: number[] }>;
  const counts: Record<string, number> = {};
  for (const [name, { shape }] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const prefix = `${name.split('.')[0]}.`;
    counts[prefix] = (counts[prefix] ?? 0) + shape.reduce((a, b) => a * b, 1);
  }
  return counts;
}

const fixtureConfig = (family: Family) =>
  parseConfig(JSON.parse(readFileSync(join(fixtureDir(family), 'config.json'), 'utf8')) as Record<string, unknown>).config;

// The fixtures' dimensions (vision 48 wide, 2 blocks, MLP 96, 16 patches of 8×8; decoder 64 wide,
// 2 blocks, MLP 160, 2 of 4 heads for keys/values; shuffle 2) differ only in the vocabulary.
const FIXTURE_COUNTS: Record<Family, { mp: number; vision: number; language: number }> = {
  prefix: { mp: 12_288, vision: 48_048, language: 102_720 }, // 256 tokens
  inline: { mp: 12_288, vision: 48_048, language: 102_784 }, // 256 + <|image|>
  split: { mp: 12_288, vision: 48_048, language: 106_944 }, // 256 + 66 extra tokens
};

// nanoVLM saves the rotary frequencies (hd/2 = 8 floats) with the weights: a buffer, not trained.
const ROTARY_BUFFER = 8;

describe('parameter counts per group', () => {
  for (const family of ['prefix', 'inline', 'split'] as const) {
    it(`${family} fixture: every group as large as nanoVLM saved it`, () => {
      const counts = parameterGroupCounts(fixtureConfig(family));
      expect(counts).toEqual(FIXTURE_COUNTS[family]);
      const stored = storedCounts(join(fixtureDir(family), 'model.safetensors'));
      expect(stored).toEqual({
        [GROUP_PREFIXES.mp]: counts.mp,
        [GROUP_PREFIXES.vision]: counts.vision,
        [GROUP_PREFIXES.language]: counts.language + ROTARY_BUFFER,
      });
      expect(parameterCount(fixtureConfig(family))).toBe(counts.mp + counts.vision + counts.language);
    });
  }

  it('an untied checkpoint stores the token embedding as well, in the language group', () => {
    const config = { ...fixtureConfig('prefix'), lm_tie_weights: false };
    expect(parameterGroupCounts(config)).toEqual({ ...FIXTURE_COUNTS.prefix, language: 102_720 + 256 * 64 });
  });

  // SigLIP base/16 at 224 px without its pooling head: 92,884,224 − 7,087,104 = 85,797,120.
  // Projector: 576 × (768 · 2²). SmolLM2-135M as it is. Total 222,081,600: nanoVLM-222M.
  const NANOVLM_222M = { mp: 1_769_472, vision: 85_797_120, language: 134_515_008 };
  const config222M = {
    vit_hidden_dim: 768,
    vit_inter_dim: 3072,
    vit_patch_size: 16,
    vit_img_size: 224,
    vit_n_heads: 12,
    vit_n_blocks: 12,
    lm_hidden_dim: 576,
    lm_inter_dim: 1536,
    lm_vocab_size: 49152,
    lm_n_heads: 9,
    lm_n_kv_heads: 3,
    lm_n_blocks: 30,
    lm_tie_weights: true,
    mp_pixel_shuffle_factor: 2,
  };

  it('nanoVLM-222M: its published size, group by group', () => {
    expect(parameterGroupCounts(parseConfig(config222M).config)).toEqual(NANOVLM_222M);
    expect(parameterCount(parseConfig(config222M).config)).toBe(222_081_600);
    // the prefix family's defaults are nanoVLM-222M's
    expect(parameterGroupCounts(parseConfig({}).config)).toEqual(NANOVLM_222M);
  });

  it('nanoVLM-230M-8k: SigLIP2 at 512 px (1,024 positions), shuffle 4, 66 extra tokens', () => {
    const config = parseConfig({
      ...config222M,
      vit_img_size: 512,
      lm_base_vocab_size: 49152,
      lm_vocab_size: 49218,
      mp_pixel_shuffle_factor: 4,
      mp_image_token_length: 64,
      max_img_size: 2048,
      vlm_extra_tokens: gridExtraTokens(8),
    }).config;
    expect(parameterGroupCounts(config)).toEqual({
      mp: 576 * 768 * 16, // 7,077,888
      vision: NANOVLM_222M.vision + (1024 - 196) * 768, // position embeddings for 1,024 patches instead of 196
      language: NANOVLM_222M.language + 66 * 576, // the extra tokens' rows of the tied embedding
    });
    expect(parameterCount(config)).toBe(228_063_936);
  });
});
