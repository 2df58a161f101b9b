// What an ONNX export is made of, and the manifest that describes a finished export folder.
import type { Family, NanoVLMConfig } from '../model/config';
import type { WeightFormat } from './layers';

export type Quantization = 'none' | 'int8' | 'int4';
export const QUANTIZATIONS: readonly Quantization[] = ['none', 'int8', 'int4'];

export interface ExportOptions {
  /** weight-only quantisation of the decoder's Linear layers, head included */
  quant: Quantization;
  /** 'fused': ONNX Runtime contrib ops (the engine); 'plain': standard ops only (baseline) */
  graph: 'fused' | 'plain';
  /** decoder outputs logits at every position (forward parity) rather than the last one */
  allLogits: boolean;
}

export const DEFAULT_EXPORT_OPTIONS: ExportOptions = { quant: 'none', graph: 'fused', allLogits: false };

/** Bumped whenever the graphs change, so that cached exports are rebuilt. */
export const EXPORT_FORMAT_VERSION = 5;

export const weightFormatOf = (quant: Quantization): WeightFormat => (quant === 'none' ? 'fp32' : quant);

export interface ExportManifest {
  formatVersion: number;
  family: Family;
  config: NanoVLMConfig;
  options: ExportOptions;
  /**
   * File names relative to the export folder. `decoder` runs on the CPU; a fused export also has
   * `gpuDecoder`, the same weights with the attention ONNX Runtime's GPU providers implement.
   */
  files: { vision: string; decoder: string; gpuDecoder?: string; embeddings: string };
  /** content hash of the checkpoint it was built from, when known */
  checkpointHash?: string;
}

export const MANIFEST_FILE = 'manifest.json';

export function parseQuantization(value: string | undefined, what = '--quant'): Quantization {
  const q = (value ?? 'none') as Quantization;
  if (!QUANTIZATIONS.includes(q)) throw new Error(`${what}: expected one of ${QUANTIZATIONS.join(', ')}, got "${value}"`);
  return q;
}
