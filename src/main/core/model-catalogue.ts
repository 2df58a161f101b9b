// The published nanoVLM checkpoints the studio knows (spec: 222M prefix, 450M inline, 230M-8k
// split), each with what it takes: download size, memory to chat at each precision and to fine-tune
// at each preset. Sizes come from the family's default config (the checkpoints ship fp32 weights),
// memory from the one estimate the run form and the trainer use: nothing here is a second copy.
import { PRESET_LEARNING_RATES } from '../../shared/runs';
import type { CatalogueEntry, ModelInfo } from '../../shared/models';
import { estimateTrainingMemory, GENEROUS_POSITIONS } from '../../shared/memory-estimate';
import { parseConfig } from '../model/config';
import { modelShape, parameterCount } from '../model/parameters';

/** What marks each family in a config.json (model/config.ts detectFamily), and its release. */
const PUBLISHED = [
  { repo: 'lusxvr/nanoVLM-222M', raw: {}, release: 'v0.1: one 224-pixel image before the text' },
  { repo: 'lusxvr/nanoVLM-450M', raw: { mp_image_token_length: 64 }, release: 'v0.2: 512-pixel images inline' },
  { repo: 'lusxvr/nanoVLM-230M-8k', raw: { max_img_size: 2048 }, release: 'current: large images in tiles, 8k context, chat template' },
] as const;

/** tokenizer.json and its config, about */
const TOKENIZER_BYTES = 3.5 * 2 ** 20;

export function modelCatalogue(models: ModelInfo[]): CatalogueEntry[] {
  return PUBLISHED.map(({ repo, raw, release }) => {
    const spec = parseConfig({ ...raw }, repo);
    const parameters = parameterCount(spec.config);
    const shape = modelShape(spec);
    const train = (preset: keyof typeof PRESET_LEARNING_RATES) =>
      estimateTrainingMemory(shape, PRESET_LEARNING_RATES[preset], { tokens: GENEROUS_POSITIONS, images: 1 }, 'native').total;
    const added = models.find((m) => m.source === 'hub' && m.reference === repo);
    return {
      repo,
      family: spec.family,
      release,
      parameters,
      downloadBytes: 4 * parameters + TOKENIZER_BYTES,
      context: spec.config.lm_max_position_embeddings,
      maxImageSide: spec.config.max_img_size ?? spec.config.vit_img_size,
      chatMemory: { fp32: 4 * parameters, int8: parameters, int4: parameters / 2 },
      trainMemory: { projector: train('projector'), 'projector+language': train('projector+language'), full: train('full') },
      ...(added ? { modelId: added.id } : {}),
    };
  });
}
