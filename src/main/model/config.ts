// The nanoVLM config (config.json, a flat object) and the three checkpoint families.
// A missing field takes the default of the family the config belongs to; unknown fields are kept
// but ignored. See docs/nanovlm.md, "Families".

import type { Family } from '../../shared/models';

export type { Family };

export interface NanoVLMConfig {
  vit_hidden_dim: number;
  vit_inter_dim: number;
  vit_patch_size: number;
  vit_img_size: number;
  vit_n_heads: number;
  vit_n_blocks: number;
  vit_ln_eps: number;
  vit_cls_flag: boolean;
  vit_model_type: string;

  lm_hidden_dim: number;
  lm_inter_dim: number;
  lm_rms_eps: number;
  lm_re_base: number;
  lm_max_position_embeddings: number;
  lm_base_vocab_size: number;
  lm_vocab_size: number;
  lm_n_heads: number;
  lm_n_kv_heads: number;
  lm_n_blocks: number;
  lm_attn_scaling: number;
  lm_max_length: number;
  lm_tie_weights: boolean;
  lm_model_type: string;
  lm_tokenizer: string;
  lm_eos_token_id: number;
  lm_chat_template?: string;

  mp_pixel_shuffle_factor: number;
  /** image tokens per image (prefix) or per tile (inline, split) */
  mp_image_token_length: number;
  max_img_size?: number;
  resize_to_max_side_len?: boolean;
  /** extra tokens appended after the base vocabulary, in this order */
  vlm_extra_tokens: Record<string, string>;

  [other: string]: unknown;
}

export interface ModelSpec {
  family: Family;
  config: NanoVLMConfig;
}

/** ChatML's turn delimiters (SmolLM2-Instruct's special tokens; `<|im_end|>` ends the split family's answers). */
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';

/** SmolLM2's ChatML template (the split family's lm_chat_template). */
export const SMOLLM2_CHAT_TEMPLATE = `{% for message in messages %}{{'${IM_START}' + message['role'] + '\\n' + message['content'] + '${IM_END}' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '${IM_START}assistant\\n' }}{% endif %}`;

/** Defaults of each release (nanoVLM-222M, nanoVLM-450M, nanoVLM-230M-8k). */
const FAMILY_DEFAULTS: Record<Family, Partial<NanoVLMConfig>> = {
  prefix: {
    vit_hidden_dim: 768,
    vit_inter_dim: 3072,
    vit_patch_size: 16,
    vit_img_size: 224,
    vit_n_heads: 12,
    vit_n_blocks: 12,
    vit_ln_eps: 1e-6,
    vit_cls_flag: false,
    vit_model_type: 'google/siglip-base-patch16-224',
    lm_hidden_dim: 576,
    lm_inter_dim: 1536,
    lm_rms_eps: 1e-5,
    lm_re_base: 100000,
    lm_max_position_embeddings: 8192,
    lm_vocab_size: 49152,
    lm_n_heads: 9,
    lm_n_kv_heads: 3,
    lm_n_blocks: 30,
    lm_attn_scaling: 1.0,
    lm_max_length: 128,
    lm_tie_weights: true,
    lm_model_type: 'HuggingFaceTB/SmolLM2-135M',
    lm_tokenizer: 'HuggingFaceTB/cosmo2-tokenizer',
    lm_eos_token_id: 0,
    mp_pixel_shuffle_factor: 2,
    vlm_extra_tokens: {},
  },
  inline: {
    vit_hidden_dim: 768,
    vit_inter_dim: 3072,
    vit_patch_size: 16,
    vit_img_size: 512,
    vit_n_heads: 12,
    vit_n_blocks: 12,
    vit_ln_eps: 1e-6,
    vit_cls_flag: false,
    vit_model_type: 'google/siglip2-base-patch16-512',
    lm_hidden_dim: 960,
    lm_inter_dim: 2560,
    lm_rms_eps: 1e-5,
    lm_re_base: 100000,
    lm_max_position_embeddings: 8192,
    lm_base_vocab_size: 49152,
    lm_vocab_size: 49153,
    lm_n_heads: 15,
    lm_n_kv_heads: 5,
    lm_n_blocks: 32,
    lm_attn_scaling: 1.0,
    lm_max_length: 1024,
    lm_tie_weights: true,
    lm_model_type: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    lm_tokenizer: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    lm_eos_token_id: 0,
    mp_pixel_shuffle_factor: 4,
    mp_image_token_length: 64,
    vlm_extra_tokens: { image_token: '<|image|>' },
  },
  split: {
    vit_hidden_dim: 768,
    vit_inter_dim: 3072,
    vit_patch_size: 16,
    vit_img_size: 512,
    vit_n_heads: 12,
    vit_n_blocks: 12,
    vit_ln_eps: 1e-6,
    vit_cls_flag: false,
    vit_model_type: 'google/siglip2-base-patch16-512',
    lm_hidden_dim: 576,
    lm_inter_dim: 1536,
    lm_rms_eps: 1e-5,
    lm_re_base: 100000,
    lm_max_position_embeddings: 8192,
    lm_base_vocab_size: 49152,
    lm_vocab_size: 49218,
    lm_n_heads: 9,
    lm_n_kv_heads: 3,
    lm_n_blocks: 30,
    lm_attn_scaling: 1.0,
    lm_max_length: 8192,
    lm_tie_weights: true,
    lm_model_type: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    lm_tokenizer: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    lm_eos_token_id: 0,
    lm_chat_template: SMOLLM2_CHAT_TEMPLATE,
    mp_pixel_shuffle_factor: 4,
    mp_image_token_length: 64,
    max_img_size: 2048,
    resize_to_max_side_len: false,
    vlm_extra_tokens: gridExtraTokens(8),
  },
};

/** The split family's extra tokens: image, global image, and an n×n grid of tile tokens (nanoVLM uses 8). */
export function gridExtraTokens(n: number): Record<string, string> {
  const tokens: Record<string, string> = { image_token: '<|image|>', global_image_token: '<|global_image|>' };
  for (let r = 1; r <= n; r++) for (let c = 1; c <= n; c++) tokens[`r${r}c${c}`] = `<row_${r}_col_${c}>`;
  return tokens;
}

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Which family a raw config.json belongs to (docs/nanovlm.md, "Families"). */
export function detectFamily(raw: Record<string, unknown>): Family {
  if (raw.max_img_size !== undefined) return 'split';
  if (raw.mp_image_token_length !== undefined) return 'inline';
  return 'prefix';
}

const NUMERIC_FIELDS = [
  'vit_hidden_dim',
  'vit_inter_dim',
  'vit_patch_size',
  'vit_img_size',
  'vit_n_heads',
  'vit_n_blocks',
  'vit_ln_eps',
  'lm_hidden_dim',
  'lm_inter_dim',
  'lm_rms_eps',
  'lm_re_base',
  'lm_max_position_embeddings',
  'lm_vocab_size',
  'lm_n_heads',
  'lm_n_kv_heads',
  'lm_n_blocks',
  'lm_attn_scaling',
  'mp_pixel_shuffle_factor',
] as const;

/** Fill defaults, derive the dependent fields, and check that the numbers fit together. */
export function parseConfig(raw: Record<string, unknown>, source = 'config.json'): ModelSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('(root)', `${source}: expected a JSON object`);
  }
  const family = detectFamily(raw);
  const config = { ...FAMILY_DEFAULTS[family], ...raw } as NanoVLMConfig;
  for (const field of NUMERIC_FIELDS) {
    const v = config[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ConfigError(field, `${source}: field "${field}" must be a positive number, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof config.vlm_extra_tokens !== 'object' || config.vlm_extra_tokens === null) {
    throw new ConfigError('vlm_extra_tokens', `${source}: field "vlm_extra_tokens" must be an object`);
  }
  const extra = Object.keys(config.vlm_extra_tokens).length;
  if (raw.lm_base_vocab_size === undefined) config.lm_base_vocab_size = config.lm_vocab_size - extra;
  if (config.lm_base_vocab_size + extra !== config.lm_vocab_size) {
    throw new ConfigError(
      'lm_vocab_size',
      `${source}: lm_vocab_size is ${config.lm_vocab_size} but lm_base_vocab_size ${config.lm_base_vocab_size} + ${extra} extra tokens = ${config.lm_base_vocab_size + extra}`,
    );
  }
  const side = config.vit_img_size / config.vit_patch_size / config.mp_pixel_shuffle_factor;
  if (!Number.isInteger(side)) {
    throw new ConfigError(
      'mp_pixel_shuffle_factor',
      `${source}: vit_img_size/vit_patch_size (${config.vit_img_size / config.vit_patch_size}) is not divisible by mp_pixel_shuffle_factor ${config.mp_pixel_shuffle_factor}`,
    );
  }
  const tokenLength = side * side;
  if (raw.mp_image_token_length === undefined) config.mp_image_token_length = tokenLength;
  if (config.mp_image_token_length !== tokenLength) {
    throw new ConfigError(
      'mp_image_token_length',
      `${source}: mp_image_token_length is ${config.mp_image_token_length}, expected (vit_img_size/vit_patch_size/mp_pixel_shuffle_factor)² = ${tokenLength}`,
    );
  }
  for (const [field, heads, dim] of [
    ['vit_n_heads', config.vit_n_heads, config.vit_hidden_dim],
    ['lm_n_heads', config.lm_n_heads, config.lm_hidden_dim],
  ] as const) {
    if (dim % heads !== 0) throw new ConfigError(field, `${source}: ${field} ${heads} does not divide the hidden size ${dim}`);
  }
  if (config.lm_n_heads % config.lm_n_kv_heads !== 0) {
    throw new ConfigError('lm_n_kv_heads', `${source}: lm_n_kv_heads ${config.lm_n_kv_heads} does not divide lm_n_heads ${config.lm_n_heads}`);
  }
  return { family, config };
}

/** Token id of an extra token by its key in vlm_extra_tokens (e.g. "image_token"). */
export function extraTokenId(config: NanoVLMConfig, key: string): number {
  const keys = Object.keys(config.vlm_extra_tokens);
  const index = keys.indexOf(key);
  if (index < 0) throw new ConfigError('vlm_extra_tokens', `extra token "${key}" is not in vlm_extra_tokens`);
  return config.lm_base_vocab_size + index;
}

export const lmHeadDim = (c: NanoVLMConfig): number => c.lm_hidden_dim / c.lm_n_heads;
export const vitPatchesPerSide = (c: NanoVLMConfig): number => c.vit_img_size / c.vit_patch_size;
