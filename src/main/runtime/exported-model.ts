// An export folder as the runtime sees it: manifest, graph paths and the token embedding.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheLayout } from '../onnx/decoder-io';
import { EXPORT_FORMAT_VERSION, MANIFEST_FILE, type ExportManifest } from '../onnx/export-options';
import type { InferenceProvider } from './providers';
import type { TokenEmbedding } from './embeddings';

export interface ExportedModel {
  dir: string;
  manifest: ExportManifest;
  visionPath: string;
  /** the decoder graph the CPU runs */
  decoderPath: string;
  embedding: TokenEmbedding;
}

/**
 * The decoder graph for a provider and the cache layout it takes: a fused export's CPU graph uses
 * ONNX's Attention operator, which ONNX Runtime's GPU providers lack; they run its GPU graph.
 */
export function decoderFor(model: ExportedModel, provider: InferenceProvider): { path: string; cacheLayout: CacheLayout } {
  const { graph } = model.manifest.options;
  const gpuDecoder = model.manifest.files.gpuDecoder;
  if (graph === 'plain') return { path: model.decoderPath, cacheLayout: 'concat' };
  if (provider === 'cpu') return { path: model.decoderPath, cacheLayout: 'positions' };
  if (!gpuDecoder) throw new Error(`${model.dir}: the fused export has no decoder for GPU providers (export again)`);
  return { path: join(model.dir, gpuDecoder), cacheLayout: 'heads' };
}

export function readExportedModel(dir: string): ExportedModel {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath}: not found (not a finished ONNX export)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ExportManifest;
  if (manifest.formatVersion !== EXPORT_FORMAT_VERSION) {
    throw new Error(`${manifestPath}: export format ${manifest.formatVersion}, expected ${EXPORT_FORMAT_VERSION} (export again)`);
  }
  const c = manifest.config;
  const embeddingPath = join(dir, manifest.files.embeddings);
  const bytes = readFileSync(embeddingPath);
  const expected = c.lm_vocab_size * c.lm_hidden_dim * 4;
  if (bytes.byteLength !== expected)
    throw new Error(`${embeddingPath}: ${bytes.byteLength} bytes, expected ${expected} ([${c.lm_vocab_size}, ${c.lm_hidden_dim}] float32)`);
  const matrix =
    bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : new Float32Array(new Uint8Array(bytes).buffer);
  return {
    dir,
    manifest,
    visionPath: join(dir, manifest.files.vision),
    decoderPath: join(dir, manifest.files.decoder),
    embedding: { matrix, vocab: c.lm_vocab_size, dim: c.lm_hidden_dim },
  };
}
