// What sets nanoVLM's three checkpoint families apart (docs/nanovlm.md, "Families"), in one place:
// every other module asks these functions instead of branching on the family's name.
//
//   prefix (v0.1)  one image per sample; its embeddings go BEFORE the text, no placeholder tokens;
//                  "Question: … Answer:" prompts ending with the tokenizer's eos
//   inline (v0.2)  <|image|> placeholders in the text replaced by the image embeddings; same prompts
//   split (main)   like inline, images cut into a grid of tiles (plus a global view); ChatML prompts
//                  from the chat template, answers ending with <|im_end|>
import { extraTokenId, IM_END, type Family, type ModelSpec, type NanoVLMConfig } from './config';
import type { NanoVLMTokenizer } from './tokenizer';

/** Tiles of one image: rows × columns ([1, 1] for prefix and inline, or a split image that fits one tile). */
export type Grid = readonly [rows: number, cols: number];

/** The image embeddings come before the text (prefix) instead of replacing placeholders. */
export const imagesBeforeText = (family: Family): boolean => family === 'prefix';

/** The prompt is the config's chat template (split) rather than "Question: … Answer:". */
export const usesChatTemplate = (family: Family): boolean => family === 'split';

/** Images are cut into a grid of tiles of vit_img_size (split); otherwise squashed to one tile. */
export const cutsTiles = (family: Family): boolean => family === 'split';

/** Most images one sample may hold. */
export const maxImagesPerSample = (family: Family): number => (family === 'prefix' ? 1 : Number.POSITIVE_INFINITY);

/** The `<|image|>` placeholder id (undefined for prefix, which has none). */
export function imageTokenIdOf(spec: ModelSpec): number | undefined {
  return imagesBeforeText(spec.family) ? undefined : extraTokenId(spec.config, 'image_token');
}

/** Tiles the vision encoder reads for one image of this grid: a split grid of more than one tile adds its global view. */
export function tilesPerImage(family: Family, [rows, cols]: Grid): number {
  if (!cutsTiles(family)) return 1;
  return rows * cols === 1 ? 1 : 1 + rows * cols;
}

/** The largest grid an image can give: split images up to max_img_size on a side, others 1×1. */
export function largestGrid(spec: ModelSpec): Grid {
  if (!cutsTiles(spec.family)) return [1, 1];
  const c: NanoVLMConfig = spec.config;
  const side = Math.max(1, Math.ceil((c.max_img_size ?? c.vit_img_size) / c.vit_img_size));
  return [side, side];
}

/** Image-embedding positions the images of these grids take in the sequence. */
export function imageTokenCount(spec: ModelSpec, grids: readonly Grid[]): number {
  return grids.reduce((n, grid) => n + tilesPerImage(spec.family, grid), 0) * spec.config.mp_image_token_length;
}

/**
 * The tokens that end an answer (what the model was trained to end with): the tokenizer's eos, and
 * for ChatML prompts its end-of-turn token too.
 */
export function stopTokenIds(family: Family, tokenizer: NanoVLMTokenizer): number[] {
  const ids = new Set([tokenizer.eosTokenId]);
  if (usesChatTemplate(family)) {
    const imEnd = tokenizer.findTokenId(IM_END);
    if (imEnd !== undefined) ids.add(imEnd);
  }
  return [...ids];
}

/** Refuse more images than the family takes, naming the sample. */
export function checkImageCount(family: Family, images: number, what = 'sample'): void {
  const most = maxImagesPerSample(family);
  if (images > most) throw new Error(`${family} models take at most ${most === 1 ? 'one image' : `${most} images`} per ${what} (got ${images})`);
}
