// Export a nanoVLM model to an ONNX folder: vision.onnx, decoder.onnx (each with its .data file of
// 4 KiB-aligned external weights), for the fused graph also decoder-gpu.onnx (the same decoder with
// the attention ONNX Runtime's GPU providers implement, reading decoder.onnx.data: the weights are
// written once), embed_tokens.f32 (the fp32 token embedding [V, D], looked up in JS by the runtime
// so that image embeddings can be spliced in before the decoder), manifest.json. The manifest is
// written last: a folder without one is an unfinished export.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_EMBEDDING } from '../model/parameters';
import { lmHeadDim, type NanoVLMConfig } from '../model/config';
import { writeFileAtomic } from '../util/atomic-write';
import { buildFusedDecoderGraph, DECODER_OPSETS, type FusedAttention } from './decoder-graph';
import { buildPlainDecoderGraph } from './decoder-graph-plain';
import { DEFAULT_EXPORT_OPTIONS, EXPORT_FORMAT_VERSION, MANIFEST_FILE, weightFormatOf, type ExportManifest, type ExportOptions } from './export-options';
import { ExternalDataWriter } from './external-data';
import type { GraphBuilder } from './graph-builder';
import type { ModelWeights } from './model-weights';
import { encodeModel } from './onnx-proto';
import { buildVisionGraph, VISION_OPSETS } from './vision-graph';

export interface ExportProgress {
  stage: 'vision' | 'decoder' | 'embeddings' | 'done';
  /** 0..1 over the whole export */
  fraction: number;
}

const FILES = { vision: 'vision.onnx', decoder: 'decoder.onnx', gpuDecoder: 'decoder-gpu.onnx', embeddings: 'embed_tokens.f32' };

export function exportOnnx(
  model: ModelWeights,
  outDir: string,
  options: Partial<ExportOptions> = {},
  onProgress: (p: ExportProgress) => void = () => {},
  checkpointHash?: string,
): ExportManifest {
  const requested: ExportOptions = { ...DEFAULT_EXPORT_OPTIONS, ...options };
  // the graph actually built (and recorded in the manifest, which tells the runtime its cache form)
  const opts: ExportOptions = { ...requested, graph: decoderGraphFor(model.config, requested.graph) };
  mkdirSync(outDir, { recursive: true });
  onProgress({ stage: 'vision', fraction: 0 });
  writeGraphs(outDir, FILES.vision, VISION_OPSETS, {
    [FILES.vision]: (w) => buildVisionGraph(model, w, { format: 'fp32', fusedAttention: requested.graph === 'fused' }),
  });
  onProgress({ stage: 'decoder', fraction: 0.3 });
  const format = weightFormatOf(opts.quant);
  const fused = (attention: FusedAttention) => (w: ExternalDataWriter) => buildFusedDecoderGraph(model, w, { format, allLogits: opts.allLogits, attention });
  const decoders =
    opts.graph === 'plain'
      ? { [FILES.decoder]: (w: ExternalDataWriter) => buildPlainDecoderGraph(model, w, { allLogits: opts.allLogits, format }) }
      : { [FILES.decoder]: fused('onnx'), [FILES.gpuDecoder]: fused('gqa') };
  writeGraphs(outDir, FILES.decoder, DECODER_OPSETS, decoders);
  onProgress({ stage: 'embeddings', fraction: 0.9 });
  const embedding = model.read(TOKEN_EMBEDDING);
  writeFileAtomic(join(outDir, FILES.embeddings), new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength));
  const manifest: ExportManifest = {
    formatVersion: EXPORT_FORMAT_VERSION,
    family: model.family,
    config: model.config,
    options: opts,
    files: opts.graph === 'plain' ? { vision: FILES.vision, decoder: FILES.decoder, embeddings: FILES.embeddings } : FILES,
    ...(checkpointHash ? { checkpointHash } : {}),
  };
  writeFileAtomic(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  onProgress({ stage: 'done', fraction: 1 });
  return manifest;
}

/**
 * ONNX Runtime's GroupQueryAttention runs only head sizes that are multiples of 16 (it fails at run
 * time otherwise: "head_size shall be a multiple of 16"); such models get the standard-ops decoder.
 */
export function decoderGraphFor(config: NanoVLMConfig, requested: ExportOptions['graph']): ExportOptions['graph'] {
  return requested === 'fused' && lmHeadDim(config) % 16 !== 0 ? 'plain' : requested;
}

/** Graphs (file → builder) whose large initializers go to one `<first file>.data`, written once when shared. */
function writeGraphs(outDir: string, dataOf: string, opsets: Record<string, number>, builds: Record<string, (w: ExternalDataWriter) => GraphBuilder>): void {
  const weights = new ExternalDataWriter(join(outDir, `${dataOf}.data`));
  const graphs: [string, GraphBuilder][] = [];
  try {
    for (const [file, build] of Object.entries(builds)) graphs.push([file, build(weights)]);
  } finally {
    weights.close();
  }
  for (const [file, graph] of graphs) writeFileAtomic(join(outDir, file), encodeModel(graph.toModel(opsets)));
}
