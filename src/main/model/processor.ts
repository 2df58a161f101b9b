// The processor: the one way from a conversation and its photos to what the model reads (as
// transformers.js pairs a tokenizer with an image processor). Each photo goes through the image
// processor (tiles, grid), the family's prompt is built around the image string those grids need,
// and the tiles of every photo are concatenated in order. Chat, evaluation and training all call
// it, so a model sees in chat byte for byte what it was trained on.
import type { ModelSpec } from './config';
import { imagesBeforeText, imageTokenCount, type Grid } from './family';
import { imageSettingsFor, processImage, type ProcessedImage } from './image-processor';
import { buildGenerationIds, buildTrainingSequence, type Turn } from './prompt';
import type { NanoVLMTokenizer } from './tokenizer';

/** A photo: a file path, or its bytes. */
export type ImageInput = string | Uint8Array;

export interface ProcessedImages {
  /** every photo's tiles, photos in order: [tiles, 3, P, P], RGB in [0, 1] */
  pixels: Float32Array;
  tiles: number;
  grids: Grid[];
  images: ProcessedImage[];
}

export interface ModelInputs extends ProcessedImages {
  inputIds: number[];
}

export interface TrainingInputs extends ModelInputs {
  /** targets[t]: the label of position t (what it must predict), −100 where there is none */
  targets: number[];
}

export class Processor {
  constructor(
    readonly spec: ModelSpec,
    readonly tokenizer: NanoVLMTokenizer,
  ) {}

  /** Each photo through the image processor, tiles concatenated in order. */
  async images(images: readonly ImageInput[]): Promise<ProcessedImages> {
    const settings = imageSettingsFor(this.spec);
    const processed = await Promise.all(images.map((image, i) => processImage(image, settings, typeof image === 'string' ? image : `image ${i + 1}`)));
    return {
      pixels: concatFloat32(processed.map((p) => p.pixels)),
      tiles: processed.reduce((n, p) => n + p.tileCount, 0),
      grids: processed.map((p) => p.grid),
      images: processed,
    };
  }

  /** A prompt to generate from: every turn answered but the last; `system`: a chat's system prompt. */
  async forGeneration(turns: readonly Turn[], images: readonly ImageInput[], system?: string): Promise<ModelInputs> {
    const processed = await this.images(images);
    return { ...processed, inputIds: this.generationIds(turns, processed.grids, system) };
  }

  /** A training (or evaluation) sample: every turn answered; the answers are the targets. */
  async forTraining(turns: readonly Turn[], images: readonly ImageInput[]): Promise<TrainingInputs> {
    const processed = await this.images(images);
    return { ...processed, ...this.trainingSequence(turns, processed.grids) };
  }

  /** The prompt ids for images of these grids (already processed, or assumed). */
  generationIds(turns: readonly Turn[], grids: readonly Grid[], system?: string): number[] {
    return buildGenerationIds(this.spec, this.tokenizer, { texts: turns, imageGrids: grids, ...(system ? { system } : {}) });
  }

  /** The training ids and targets for images of these grids (already processed, or assumed). */
  trainingSequence(turns: readonly Turn[], grids: readonly Grid[]): { inputIds: number[]; targets: number[] } {
    const { inputIds, targets } = buildTrainingSequence(this.spec, this.tokenizer, { texts: turns, imageGrids: grids });
    return { inputIds, targets };
  }

  /** Decoder positions of a sequence: its ids, plus the image rows the prefix family puts before them. */
  positions(idCount: number, grids: readonly Grid[]): number {
    return idCount + (imagesBeforeText(this.spec.family) ? imageTokenCount(this.spec, grids) : 0);
  }
}

/** Float32 arrays one after the other. */
export function concatFloat32(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
