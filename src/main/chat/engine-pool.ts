// Loaded models, ready to answer: the ONNX export (built once per checkpoint and quantisation, in a
// worker, shown as a job with progress), its ONNX Runtime sessions and the tokenizer. The two most
// recently used stay loaded (side-by-side chat uses two); a model in use is never unloaded.
import { join } from 'node:path';
import type { Quantization } from '../onnx/export-options';
import { ensureExport, type CachedExport } from '../onnx/export-cache';
import { NanoVLMTokenizer } from '../model/tokenizer';
import type { Job } from '../../shared/jobs';
import type { JobManager } from '../core/jobs';
import type { ModelRegistry } from '../registry/model-registry';
import { isDeviceFailure, markProviderFailed, resolveProvider } from '../runtime/providers';
import { InferenceThreadEnded } from '../runtime/threaded-model';
import { VlmEngine } from '../runtime/vlm-engine';

export interface LoadedModel {
  engine: VlmEngine;
  tokenizer: NanoVLMTokenizer;
}

/** A checkpoint folder to load: a registered model, or a run's checkpoint being evaluated. */
export interface CheckpointRef {
  name: string;
  folder: string;
  tokenizerFolder: string;
}

const KEEP_LOADED = 2;

export class EnginePool {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();
  private readonly inUse = new Map<string, number>();

  constructor(private readonly deps: { dataDir: string; models: ModelRegistry; jobs: JobManager }) {}

  withModel<T>(modelId: string, quant: Quantization, work: (model: LoadedModel) => Promise<T>): Promise<T> {
    return this.withCheckpoint(this.deps.models.get(modelId), quant, work);
  }

  /** Run `work` with the checkpoint loaded; it stays loaded while the work runs. */
  async withCheckpoint<T>(ref: CheckpointRef, quant: Quantization, work: (model: LoadedModel) => Promise<T>): Promise<T> {
    const key = `${ref.folder}:${quant}`;
    this.inUse.set(key, (this.inUse.get(key) ?? 0) + 1);
    let model: LoadedModel | undefined;
    try {
      model = await this.get(key, ref, quant);
      return await work(model);
    } catch (err) {
      throw model ? this.afterEngineFailure(key, model.engine, err) : err;
    } finally {
      this.inUse.set(key, this.inUse.get(key)! - 1);
      this.evict();
    }
  }

  /**
   * Build (or reuse) a model's ONNX export as a job the person can watch and cancel; `deliver`
   * then takes the exported folder where the person wants it (a folder of theirs, a download).
   */
  exportModel(modelId: string, quant: Quantization, deliver?: (exported: CachedExport, signal: AbortSignal) => Promise<object>): Job {
    return this.exportJob(this.deps.models.get(modelId), quant, deliver);
  }

  async dispose(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(all.map((p) => p.then((m) => m.engine.dispose()).catch(() => undefined)));
  }

  private exportJob(ref: CheckpointRef, quant: Quantization, deliver?: (exported: CachedExport, signal: AbortSignal) => Promise<object>): Job {
    return this.deps.jobs.start('onnx-export', `Prepare ${ref.name} (ONNX, ${quant === 'none' ? 'fp32' : quant})`, 'steps', async ({ signal, progress }) => {
      const exported = await ensureExport(
        ref.folder,
        { quant },
        {
          cacheDir: join(this.deps.dataDir, 'cache'),
          signal,
          onProgress: (p) => progress({ done: Math.round(p.fraction * 100), total: 100, stage: p.stage }),
        },
      );
      if (!deliver) return exported;
      progress({ stage: 'copying the files' });
      return { ...exported, ...(await deliver(exported, signal)) };
    });
  }

  private get(key: string, ref: CheckpointRef, quant: Quantization): Promise<LoadedModel> {
    let entry = this.loaded.get(key);
    if (entry) {
      this.loaded.delete(key); // re-inserted below: most recently used last
    } else {
      entry = this.load(ref, quant);
      entry.catch(() => this.loaded.delete(key));
    }
    this.loaded.set(key, entry);
    return entry;
  }

  private async load(ref: CheckpointRef, quant: Quantization): Promise<LoadedModel> {
    const job = this.exportJob(ref, quant);
    const ended = await this.deps.jobs.settled(job.id);
    if (ended.status !== 'done') throw new Error(`preparing ${ref.name} ${ended.status === 'cancelled' ? 'was cancelled' : `failed: ${ended.error}`}`);
    const { dir } = ended.result as { dir: string };
    const engine = await VlmEngine.load(dir);
    return { engine, tokenizer: NanoVLMTokenizer.fromFolder(ref.tokenizerFolder, engine.config) };
  }

  /**
   * A GPU that failed mid-request (lost device, out of memory) fails that one request with a
   * message saying so; the model is dropped and the provider passed over, so the next request
   * loads it again on the next provider (the CPU in the end) and the studio carries on. A model
   * whose inference thread ended is dropped too: the next request loads it on a fresh one.
   */
  private afterEngineFailure(key: string, engine: VlmEngine, err: unknown): unknown {
    if (err instanceof InferenceThreadEnded) {
      // its sessions went with the thread: the next request loads the model again
      this.drop(key);
      return err;
    }
    if (engine.provider === 'cpu' || !isDeviceFailure(err)) return err;
    const why = err instanceof Error ? err.message : String(err);
    markProviderFailed(engine.provider, why);
    this.drop(key);
    return new Error(
      `the GPU failed during this request (${engine.provider} on ${engine.device}: ${why}); the model will load on ${resolveProvider().device} for the next one`,
    );
  }

  private drop(key: string): void {
    const entry = this.loaded.get(key);
    this.loaded.delete(key);
    void entry?.then((m) => m.engine.dispose()).catch(() => undefined);
  }

  private evict(): void {
    const idle = [...this.loaded.keys()].filter((k) => !this.inUse.get(k));
    for (const key of idle.slice(0, Math.max(0, this.loaded.size - KEEP_LOADED))) {
      const entry = this.loaded.get(key)!;
      this.loaded.delete(key);
      void entry.then((m) => m.engine.dispose()).catch(() => undefined);
    }
  }
}
