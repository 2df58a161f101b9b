// Runs the vision graph: pixel tiles [T, 3, P, P] → image embeddings [T, L, D_lm]
// (and, on request, the encoder output [T, N, D_vit]).
import * as ort from 'onnxruntime-node';
import type { NanoVLMConfig } from '../model/config';
import { IMAGE_EMBEDDINGS, VISION_INPUT, VISION_OUTPUT } from '../onnx/vision-graph';

export interface VisionResult {
  imageEmbeddings: Float32Array;
  visionOut?: Float32Array;
}

/** The vision graph as the engine uses it: here (VisionEncoder) or on the inference thread (threaded-model.ts). */
export interface ImageEncoder {
  encode(pixels: Float32Array, tiles: number, withVisionOut?: boolean): Promise<VisionResult>;
  dispose(): Promise<void>;
}

export class VisionEncoder implements ImageEncoder {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly config: NanoVLMConfig,
  ) {}

  async encode(pixels: Float32Array, tiles: number, withVisionOut = false): Promise<VisionResult> {
    const P = this.config.vit_img_size;
    if (pixels.length !== tiles * 3 * P * P) {
      throw new Error(`pixel_values: ${pixels.length} values, expected [${tiles}, 3, ${P}, ${P}] = ${tiles * 3 * P * P}`);
    }
    if (tiles === 0) return { imageEmbeddings: new Float32Array(0), ...(withVisionOut ? { visionOut: new Float32Array(0) } : {}) };
    const fetches = withVisionOut ? [IMAGE_EMBEDDINGS, VISION_OUTPUT] : [IMAGE_EMBEDDINGS];
    const result = await this.session.run({ [VISION_INPUT]: new ort.Tensor('float32', pixels, [tiles, 3, P, P]) }, fetches);
    const imageEmbeddings = result[IMAGE_EMBEDDINGS]!.data as Float32Array;
    return withVisionOut ? { imageEmbeddings, visionOut: result[VISION_OUTPUT]!.data as Float32Array } : { imageEmbeddings };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
