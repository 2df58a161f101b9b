// The config.json of a small nanoVLM built from scratch (the bundled demo model, tests): the split
// family (nanoVLM's current layout: chat template, <|global_image|> + grid tokens) or the inline
// family, sized by a handful of dimensions, over the byte-level tokenizer (base vocabulary 256).
// Split models get max_img_size = vit_img_size, so every image is one tile.
import { BYTE_TOKENIZER_VOCAB_SIZE } from '../model/byte-tokenizer';
import { gridExtraTokens, parseConfig, SMOLLM2_CHAT_TEMPLATE } from '../model/config';

export interface TinyModelDims {
  family: 'split' | 'inline';
  imageSize: number;
  patchSize: number;
  vitDim: number;
  vitBlocks: number;
  vitHeads: number;
  vitInterDim: number;
  pixelShuffle: number;
  lmDim: number;
  lmBlocks: number;
  lmHeads: number;
  lmKvHeads: number;
  lmInterDim: number;
}

/**
 * The demo model's size: ~0.76 M parameters, 3 MB as float32. 96 px images cut into 3×3 patches
 * of 32 px (one patch per cell of the shapes layout, no pixel shuffle: 9 image tokens), a 2-block
 * ViT of width 96 and a 2-block decoder of width 96 (6 heads of 16): small enough to train from scratch on one
 * CPU thread in minutes.
 */
export const DEMO_DIMS: TinyModelDims = {
  family: 'split',
  imageSize: 96,
  patchSize: 32,
  vitDim: 96,
  vitBlocks: 2,
  vitHeads: 4,
  vitInterDim: 384,
  pixelShuffle: 1,
  lmDim: 96,
  lmBlocks: 2,
  // head size 16: ONNX Runtime's GroupQueryAttention (the fused chat decoder) needs a multiple of 16; other sizes get the slower standard-ops decoder
  lmHeads: 6,
  lmKvHeads: 2,
  lmInterDim: 256,
};

/** A raw config.json object (checked by parseConfig) in nanoVLM's field order. */
export function tinyConfig(dims: TinyModelDims): Record<string, unknown> {
  const side = dims.imageSize / dims.patchSize / dims.pixelShuffle;
  const extra = dims.family === 'split' ? gridExtraTokens(8) : { image_token: '<|image|>' };
  const raw: Record<string, unknown> = {
    vit_hidden_dim: dims.vitDim,
    vit_inter_dim: dims.vitInterDim,
    vit_patch_size: dims.patchSize,
    vit_img_size: dims.imageSize,
    vit_n_heads: dims.vitHeads,
    vit_dropout: 0.0,
    vit_n_blocks: dims.vitBlocks,
    vit_ln_eps: 1e-6,
    vit_cls_flag: false,
    vit_model_type: 'none (trained from scratch)',
    lm_hidden_dim: dims.lmDim,
    lm_inter_dim: dims.lmInterDim,
    lm_rms_eps: 1e-5,
    lm_re_base: 100000,
    lm_max_position_embeddings: 512,
    lm_base_vocab_size: BYTE_TOKENIZER_VOCAB_SIZE,
    extra_token_amount: Object.keys(extra).length,
    lm_vocab_size: BYTE_TOKENIZER_VOCAB_SIZE + Object.keys(extra).length,
    lm_n_heads: dims.lmHeads,
    lm_n_kv_heads: dims.lmKvHeads,
    lm_dropout: 0.0,
    lm_n_blocks: dims.lmBlocks,
    lm_attn_scaling: 1.0,
    lm_max_length: 256,
    lm_use_tokens: false,
    lm_tie_weights: true,
    lm_model_type: 'none (trained from scratch)',
    // No Hub repo holds this tokenizer: it is the byte-level one, saved beside config.json.
    lm_tokenizer: 'byte-level tokenizer (tokenizer.json in the model folder)',
    ...(dims.family === 'split' ? { lm_chat_template: SMOLLM2_CHAT_TEMPLATE } : {}),
    mp_pixel_shuffle_factor: dims.pixelShuffle,
    mp_image_token_length: side * side,
    ...(dims.family === 'split' ? { max_img_size: dims.imageSize, resize_to_max_side_len: true } : {}),
    vlm_extra_tokens: extra,
    vlm_load_backbone_weights: false,
  };
  parseConfig(raw, 'tiny model config');
  return raw;
}
