// A loaded ONNX export: the vision encoder, the decoder and the token embedding, on one execution
// provider. Generation lives in generate.ts; this class holds the sessions and the model facts.
import type { Family, NanoVLMConfig } from '../model/config';
import { imageTokenIdOf } from '../model/family';
import type { ExportManifest } from '../onnx/export-options';
import { BackgroundPrefill } from './background-prefill';
import type { Decoder } from './decoder-session';
import { assembleEmbeddings, embedTokens, type AssembledEmbeddings, type TokenEmbedding } from './embeddings';
import { PromptCache } from './prompt-cache';
import { decoderFor, readExportedModel, type ExportedModel } from './exported-model';
import { loadEngineSessions } from './engine-sessions';
import { loadWithFallback, type InferenceProvider, type ResolvedProvider } from './providers';
import { loadOnInferenceThread, runsOnInferenceThread } from './threaded-model';
import type { ImageEncoder } from './vision-encoder';

export interface EngineOptions {
  /** default: $NANOVLM_PROVIDER, else detectInferenceProviders().chosen */
  provider?: InferenceProvider;
  threads?: number;
}

export interface ForwardResult {
  visionOut: Float32Array;
  mpOut: Float32Array;
  /** [positions, vocab] */
  logits: Float32Array;
  positions: number;
}

export class VlmEngine {
  /** the last generation's KV cache, for a next prompt that starts the same way */
  readonly promptCache = new PromptCache();
  /** the prefill of a prompt's known start while the question is written (prefill.ts) */
  readonly backgroundPrefill = new BackgroundPrefill();

  private constructor(
    readonly manifest: ExportManifest,
    readonly vision: ImageEncoder,
    readonly decoder: Decoder,
    readonly embedding: TokenEmbedding,
    readonly provider: InferenceProvider,
    readonly providerReason: string,
    /** what the provider runs on: "CPU", the GPU adapter's name (and whether it is a software one) */
    readonly device: string,
  ) {}

  /** On the provider asked for, else the detected one; a detected GPU provider that cannot load the graphs gives way to the CPU. */
  static async load(exportDir: string, options: EngineOptions = {}): Promise<VlmEngine> {
    const model = readExportedModel(exportDir);
    return loadWithFallback(options.provider, (resolved) => VlmEngine.loadOn(model, resolved, options.threads));
  }

  private static async loadOn(model: ExportedModel, { provider, reason, device }: ResolvedProvider, threads?: number): Promise<VlmEngine> {
    const settings = { provider, ...(threads ? { threads } : {}) };
    const decoderGraph = decoderFor(model, provider);
    const graphs = { visionPath: model.visionPath, decoderPath: decoderGraph.path, config: model.manifest.config, cacheLayout: decoderGraph.cacheLayout };
    const { vision, decoder } = runsOnInferenceThread(settings) ? await loadOnInferenceThread(graphs, settings) : await loadEngineSessions(graphs, settings);
    return new VlmEngine(model.manifest, vision, decoder, model.embedding, provider, reason, device);
  }

  get config(): NanoVLMConfig {
    return this.manifest.config;
  }

  get family(): Family {
    return this.manifest.family;
  }

  /** The placeholder token of inline/split models (undefined for prefix). */
  get imageTokenId(): number | undefined {
    return imageTokenIdOf({ family: this.family, config: this.config });
  }

  /** Pixel tiles [T, 3, P, P] → image embeddings [T·L, D]. */
  async encodeImages(pixels: Float32Array, tiles: number): Promise<Float32Array> {
    return (await this.vision.encode(pixels, tiles)).imageEmbeddings;
  }

  assemble(ids: readonly number[], imageEmbeddings: Float32Array): AssembledEmbeddings {
    return assembleEmbeddings(this.family, this.embedding, ids, imageEmbeddings, this.imageTokenId);
  }

  /** Token embeddings only (a prompt's text after positions already cached). */
  embedText(ids: readonly number[]): AssembledEmbeddings {
    return { data: embedTokens(this.embedding, ids), length: ids.length };
  }

  /** The whole model on one sequence, logits at every position (needs an allLogits export). */
  async forward(ids: readonly number[], pixels: Float32Array, tiles: number): Promise<ForwardResult> {
    if (!this.manifest.options.allLogits)
      throw new Error('forward needs an export with allLogits (logits at every position); this one gives the last position only');
    const { imageEmbeddings, visionOut } = await this.vision.encode(pixels, tiles, true);
    const embeds = this.assemble(ids, imageEmbeddings);
    const logits = await this.decoder.run(embeds.data, embeds.length, this.decoder.newCache());
    return { visionOut: visionOut!, mpOut: imageEmbeddings, logits, positions: embeds.length };
  }

  async dispose(): Promise<void> {
    this.backgroundPrefill.cancel();
    this.promptCache.clear();
    await Promise.all([this.vision.dispose(), this.decoder.dispose()]);
  }
}
