// What the studio knows of nanoVLM's own PyTorch trainer (train.py, models/config.py) at the
// revision the hand-off targets: the split family on nanoVLM's main branch. A run handed over is
// described with these field names only; everything else is named in the README as not mapped.

/** The nanoVLM revision the mapping was written against (main branch, split family). */
export const NANOVLM_REVISION = {
  repository: 'https://github.com/huggingface/nanoVLM',
  branch: 'main',
  commit: '4e0c0961846135c2217f95e54cb4c2d66eb55e42',
  date: '2025-10-27',
} as const;

/** The fields of nanoVLM's TrainConfig dataclass (models/config.py). */
export const TRAIN_CONFIG_FIELDS = [
  'lr_mp',
  'lr_vision_backbone',
  'lr_language_backbone',
  'val_size',
  'batch_size',
  'gradient_accumulation_steps',
  'max_grad_norm',
  'eval_in_epochs',
  'eval_interval',
  'stats_log_interval',
  'max_training_steps',
  'max_images_per_example',
  'max_images_per_knapsack',
  'max_sample_length',
  'compile',
  'resume_from_vlm_checkpoint',
  'train_dataset_path',
  'train_dataset_name',
  'stream_dataset',
  'relevance_min_rating',
  'image_correspondence_min_rating',
  'visual_dependency_min_rating',
  'formatting_min_rating',
  'wandb_entity',
  'log_wandb',
  'use_lmms_eval',
  'lmms_eval_tasks',
  'lmms_eval_limit',
  'lmms_eval_batch_size',
] as const;

/** The fields of nanoVLM's VLMConfig dataclass (models/config.py); from_pretrained refuses any other key in config.json. */
export const VLM_CONFIG_FIELDS = [
  'vit_hidden_dim',
  'vit_inter_dim',
  'vit_patch_size',
  'vit_img_size',
  'vit_n_heads',
  'vit_dropout',
  'vit_n_blocks',
  'vit_ln_eps',
  'vit_cls_flag',
  'vit_model_type',
  'lm_hidden_dim',
  'lm_inter_dim',
  'lm_rms_eps',
  'lm_re_base',
  'lm_max_position_embeddings',
  'lm_base_vocab_size',
  'extra_token_amount',
  'lm_vocab_size',
  'lm_n_heads',
  'lm_n_kv_heads',
  'lm_dropout',
  'lm_n_blocks',
  'lm_attn_scaling',
  'lm_max_length',
  'lm_use_tokens',
  'lm_tie_weights',
  'lm_model_type',
  'lm_tokenizer',
  'lm_chat_template',
  'mp_pixel_shuffle_factor',
  'mp_image_token_length',
  'max_img_size',
  'resize_to_max_side_len',
  'vlm_extra_tokens',
  'vlm_load_backbone_weights',
  'vlm_checkpoint_path',
  'hf_repo_name',
] as const;

export type TrainConfigField = (typeof TRAIN_CONFIG_FIELDS)[number];
export type VlmConfigField = (typeof VLM_CONFIG_FIELDS)[number];
export type TrainConfigJson = Partial<Record<TrainConfigField, unknown>>;
export type VlmConfigJson = Partial<Record<VlmConfigField, unknown>>;

/** Where nanoVLM's trainer writes a checkpoint: {vlm_checkpoint_path}/{run name}/step_{N} (save_pretrained). */
export const NANOVLM_STEP_FOLDER = /^step_(\d+)$/;
