// The studio's CPU models run on one worker thread (inference-thread.ts), so that encoding a photo,
// a long prefill or an evaluation never holds the studio's event loop: onnxruntime-node's run() is
// synchronous on its caller's thread. Here are the stand-ins the engine holds instead of its
// sessions (same interfaces: ImageEncoder, Decoder), each call one message to the thread and one
// answer back. The KV caches stay on the thread; the engine holds handles (id and length) and a
// handle's cache is freed there once the handle is garbage. Generation itself (the loop, sampling,
// the prompt cache) stays on the studio's thread: a decode step costs one round trip (tens of µs).
//
// The studio core switches it on while it is open (useInferenceThread); the CLI and the benches
// run sessions on their own thread. GPU providers keep today's path: a WebGPU session's outputs
// can stay on the device, which only its own thread can read.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../onnx/typescript-worker';
import type { Decoder, NextScores } from './decoder-session';
import type { EngineGraphs } from './engine-sessions';
import type { DecoderCache } from './kv-cache';
import type { SessionSettings } from './onnx-session';
import type { ImageEncoder, VisionResult } from './vision-encoder';

export type ThreadRequest = { id?: number; engine: number } & (
  | { op: 'load'; graphs: EngineGraphs; settings: SessionSettings }
  | { op: 'encode'; pixels: Float32Array; tiles: number; withVisionOut: boolean }
  | { op: 'newCache'; cache: number; firstRunPositions?: number }
  | { op: 'run'; cache: number; embeds: Float32Array; length: number }
  | { op: 'step'; cache: number; embeds: Float32Array; length: number; candidates: number }
  | { op: 'truncate'; cache: number; length: number }
  | { op: 'freeCache'; cache: number }
  | { op: 'dispose' }
);
export type ThreadReply = { id?: number; ok: true; value: unknown } | { id?: number; ok: false; message: string };

const entry = (): URL => new URL(import.meta.url.endsWith('.ts') ? './inference-thread.ts' : './inference-thread.js', import.meta.url);

/** The thread is gone (stopped, or its worker died): its models must be loaded again. */
export class InferenceThreadEnded extends Error {}

/** Distributive Omit: keeps each variant of a union its own fields. */
type WithoutIds<T> = T extends unknown ? Omit<T, 'id'> : never;

class InferenceThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private ended: InferenceThreadEnded | undefined;

  constructor() {
    this.worker = startWorker(entry());
    this.worker.unref(); // an idle thread never keeps the process alive
    this.worker.on('message', (reply: ThreadReply) => this.settle(reply));
    this.worker.on('error', (err) => this.end(new InferenceThreadEnded(`the inference thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.end(new InferenceThreadEnded(`the inference thread exited (code ${code})`)));
  }

  /** A request that is answered (the caller's buffers are copied, never moved). */
  call<T>(request: WithoutIds<ThreadRequest>): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref(); // held while an answer is awaited
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id, ...detached(request) });
    });
  }

  /** A request with no answer (it is still done in order with the others). */
  send(request: WithoutIds<ThreadRequest>): void {
    if (!this.ended) this.worker.postMessage(request);
  }

  async stop(): Promise<void> {
    this.end(new InferenceThreadEnded('the inference thread was stopped'));
    await this.worker.terminate();
  }

  private settle(reply: ThreadReply): void {
    const waiting = reply.id === undefined ? undefined : this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id!);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(reply.message));
  }

  private end(err: InferenceThreadEnded): void {
    if (thread === this) thread = undefined; // the next model loads on a fresh thread
    this.ended ??= err;
    for (const waiting of this.pending.values()) waiting.reject(this.ended);
    this.pending.clear();
  }
}

/**
 * A view into a larger buffer would be cloned whole: send a copy of what it shows instead
 * (the prompt's pending positions are such views).
 */
function detached(request: WithoutIds<ThreadRequest>): Partial<Record<'pixels' | 'embeds', Float32Array>> {
  const out: Partial<Record<'pixels' | 'embeds', Float32Array>> = {};
  for (const key of ['pixels', 'embeds'] as const) {
    const data = (request as Partial<Record<typeof key, Float32Array>>)[key];
    if (data && data.byteLength < data.buffer.byteLength) out[key] = data.slice();
  }
  return out;
}

let thread: InferenceThread | undefined;
let users = 0;

/** The studio core uses the thread while it is open; returns what to call when it closes. */
export function useInferenceThread(): () => Promise<void> {
  users++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--users > 0 || !thread) return;
    const stopping = thread;
    thread = undefined;
    await stopping.stop();
  };
}

/** Whether a model loaded now on `provider` runs on the inference thread. */
export const runsOnInferenceThread = (settings: SessionSettings): boolean => users > 0 && settings.provider === 'cpu';

let nextEngine = 1;

/** Load an export's two graphs on the thread; the stand-ins the engine holds instead of its sessions. */
export async function loadOnInferenceThread(graphs: EngineGraphs, settings: SessionSettings): Promise<{ vision: ImageEncoder; decoder: Decoder }> {
  thread ??= new InferenceThread();
  const on = thread;
  const engine = nextEngine++;
  const picksCandidates = await on.call<boolean>({ op: 'load', engine, graphs, settings });
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= on.call<void>({ op: 'dispose', engine }).catch(() => undefined));
  return {
    vision: {
      encode: (pixels, tiles, withVisionOut = false) => on.call<VisionResult>({ op: 'encode', engine, pixels, tiles, withVisionOut }),
      dispose,
    },
    decoder: new ThreadedDecoder(on, engine, picksCandidates, dispose),
  };
}

/** A KV cache that lives on the thread: its length, as of the last run or cut asked for. */
class CacheHandle implements DecoderCache {
  constructor(
    private readonly thread: InferenceThread,
    private readonly engine: number,
    readonly id: number,
    public length = 0,
  ) {}

  truncate(length: number): void {
    if (length >= this.length) return;
    this.length = length;
    this.thread.send({ op: 'truncate', engine: this.engine, cache: this.id, length });
  }
}

class ThreadedDecoder implements Decoder {
  private nextCache = 1;
  /** frees a cache on the thread once its handle is garbage */
  private readonly caches = new FinalizationRegistry<number>((cache) => this.thread.send({ op: 'freeCache', engine: this.engine, cache }));

  constructor(
    private readonly thread: InferenceThread,
    private readonly engine: number,
    readonly picksCandidates: boolean,
    readonly dispose: () => Promise<void>,
  ) {}

  newCache(firstRunPositions?: number): DecoderCache {
    const handle = new CacheHandle(this.thread, this.engine, this.nextCache++);
    this.thread.send({ op: 'newCache', engine: this.engine, cache: handle.id, ...(firstRunPositions === undefined ? {} : { firstRunPositions }) });
    this.caches.register(handle, handle.id);
    return handle;
  }

  async run(embeds: Float32Array, length: number, cache: DecoderCache): Promise<Float32Array> {
    const handle = this.handleOf(cache);
    const out = await this.thread.call<{ logits: Float32Array; cacheLength: number }>({ op: 'run', engine: this.engine, cache: handle.id, embeds, length });
    handle.length = out.cacheLength;
    return out.logits;
  }

  async step(embeds: Float32Array, length: number, cache: DecoderCache, candidates: number): Promise<NextScores> {
    const handle = this.handleOf(cache);
    const out = await this.thread.call<{ scores: NextScores; cacheLength: number }>({
      op: 'step',
      engine: this.engine,
      cache: handle.id,
      embeds,
      length,
      candidates,
    });
    handle.length = out.cacheLength;
    return out.scores;
  }

  private handleOf(cache: DecoderCache): CacheHandle {
    if (!(cache instanceof CacheHandle)) throw new Error('this cache was not made by this decoder (newCache)');
    return cache;
  }
}
