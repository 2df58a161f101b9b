// Models as the renderer sees them: every checkpoint the studio can chat with or train from.
import { z } from 'zod';
import type { ModelShape } from './memory-estimate';

export type ModelSource = 'demo' | 'hub' | 'folder' | 'run';

/** nanoVLM's checkpoint families: v0.1 (222M), v0.2 (450M), the current main branch (230M-8k). */
export const FAMILIES = ['prefix', 'inline', 'split'] as const;
export type Family = (typeof FAMILIES)[number];

export interface ModelInfo {
  id: string;
  name: string;
  source: ModelSource;
  /** the Hub repo id, the folder, or the run's checkpoint it came from */
  reference: string;
  family: Family;
  parameters: number;
  /** what the memory estimate needs (parameters per optimiser group, dimensions); absent when the config can no longer be read */
  shape?: ModelShape;
  bytesOnDisk: number;
  /** folder with config.json and model.safetensors */
  folder: string;
  tokenizerFolder: string;
  addedAt: number;
}

export const modelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'not a model id');

export const addModelSchema = z
  .object({
    /** a Hub repo id ("lusxvr/nanoVLM-222M") or an absolute folder path */
    reference: z.string().trim().min(1).max(1024),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict();

/** A published nanoVLM checkpoint, with what it takes to download, chat with and fine-tune. */
export interface CatalogueEntry {
  repo: string;
  family: 'prefix' | 'inline' | 'split';
  /** which nanoVLM release it comes from, in a few words */
  release: string;
  parameters: number;
  /** model.safetensors (fp32) plus the tokenizer, about */
  downloadBytes: number;
  /** the longest conversation, in positions */
  context: number;
  /** the largest photo, in pixels on a side */
  maxImageSide: number;
  /** weights in memory to chat, by precision */
  chatMemory: { fp32: number; int8: number; int4: number };
  /** a training step at batch 1, by what trains (estimate, native memory) */
  trainMemory: { projector: number; 'projector+language': number; full: number };
  /** the registered model of this repo, once added */
  modelId?: string;
}
