// A training batch read from a safetensors file of named tensors (the golden fixtures' layout:
// train_input_ids / train_targets / pixel_values, or the padded batch_* tensors).
import { SafetensorsFile } from '../model/safetensors';
import type { TrainingBatch } from '../training/data/batch';

export interface BatchTensorNames {
  inputIds: string;
  targets: string;
  pixelValues: string;
  attentionMask?: string;
}

export const SINGLE_SAMPLE_NAMES: BatchTensorNames = { inputIds: 'train_input_ids', targets: 'train_targets', pixelValues: 'pixel_values' };
export const PADDED_BATCH_NAMES: BatchTensorNames = {
  inputIds: 'batch_input_ids',
  targets: 'batch_targets',
  pixelValues: 'batch_pixel_values',
  attentionMask: 'batch_attention_mask',
};

export function readBatchFile(path: string, names: BatchTensorNames = SINGLE_SAMPLE_NAMES): TrainingBatch {
  const file = SafetensorsFile.open(path);
  try {
    for (const name of Object.values(names)) {
      if (!file.has(name)) throw new Error(`${path}: tensor "${name}" is missing`);
    }
    const idsShape = file.info(names.inputIds).shape;
    if (idsShape.length !== 2) throw new Error(`${path}: "${names.inputIds}" must be [rows, length], got [${idsShape.join(', ')}]`);
    const [rows, length] = idsShape as [number, number];
    const pixelShape = file.info(names.pixelValues).shape;
    if (pixelShape.length !== 4 || pixelShape[1] !== 3)
      throw new Error(`${path}: "${names.pixelValues}" must be [images, 3, S, S], got [${pixelShape.join(', ')}]`);
    return {
      inputIds: Int32Array.from(file.readInts(names.inputIds)),
      targets: Int32Array.from(file.readInts(names.targets)),
      attentionMask: names.attentionMask ? Int32Array.from(file.readInts(names.attentionMask)) : undefined,
      rows,
      length,
      pixelValues: file.readFloat32(names.pixelValues),
      imageCount: pixelShape[0]!,
    };
  } finally {
    file.close();
  }
}
