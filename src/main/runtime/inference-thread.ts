// Worker-thread entry: the ONNX Runtime sessions of the studio's CPU models and their KV caches.
// onnxruntime-node runs a session synchronously on the thread that calls run() (its promise only
// defers the call), so a vision encoding or a long prefill on the studio's own thread would hold
// its event loop (the API, the web door, events) for as long as it takes. Here it holds only this
// thread. Protocol in threaded-model.ts; messages are handled one at a time, in order.
import { parentPort } from 'node:worker_threads';
import type { DecoderSession } from './decoder-session';
import { loadEngineSessions, type EngineGraphs } from './engine-sessions';
import type { DecoderCache } from './kv-cache';
import type { SessionSettings } from './onnx-session';
import type { ThreadReply, ThreadRequest } from './threaded-model';
import type { VisionEncoder } from './vision-encoder';

interface LoadedEngine {
  vision: VisionEncoder;
  decoder: DecoderSession;
  caches: Map<number, DecoderCache>;
}

const engines = new Map<number, LoadedEngine>();

function engineOf(id: number): LoadedEngine {
  const engine = engines.get(id);
  if (!engine) throw new Error(`inference thread: no engine ${id} (released?)`);
  return engine;
}

function cacheOf(engine: LoadedEngine, id: number): DecoderCache {
  const cache = engine.caches.get(id);
  if (!cache) throw new Error(`inference thread: no cache ${id}`);
  return cache;
}

async function load(id: number, graphs: EngineGraphs, settings: SessionSettings): Promise<boolean> {
  const { vision, decoder } = await loadEngineSessions(graphs, settings);
  engines.set(id, { vision, decoder, caches: new Map() });
  return decoder.picksCandidates;
}

/** The answer to one request, and the buffers that move to the studio's thread with it. */
async function handle(request: ThreadRequest): Promise<[unknown, ArrayBuffer[]]> {
  switch (request.op) {
    case 'load':
      return [await load(request.engine, request.graphs, request.settings), []];
    case 'encode': {
      const result = await engineOf(request.engine).vision.encode(request.pixels, request.tiles, request.withVisionOut);
      return [result, [result.imageEmbeddings, result.visionOut].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []))];
    }
    case 'newCache': {
      const engine = engineOf(request.engine);
      engine.caches.set(request.cache, engine.decoder.newCache(request.firstRunPositions));
      return [undefined, []];
    }
    case 'run': {
      const engine = engineOf(request.engine);
      const cache = cacheOf(engine, request.cache);
      const logits = await engine.decoder.run(request.embeds, request.length, cache);
      return [{ logits, cacheLength: cache.length }, [logits.buffer as ArrayBuffer]];
    }
    case 'step': {
      const engine = engineOf(request.engine);
      const cache = cacheOf(engine, request.cache);
      const scores = await engine.decoder.step(request.embeds, request.length, cache, request.candidates);
      const buffer = 'logits' in scores ? scores.logits.buffer : scores.candidates.scores.buffer;
      return [{ scores, cacheLength: cache.length }, [buffer as ArrayBuffer]];
    }
    case 'truncate':
      cacheOf(engineOf(request.engine), request.cache).truncate(request.length);
      return [undefined, []];
    case 'freeCache':
      engines.get(request.engine)?.caches.delete(request.cache);
      return [undefined, []];
    case 'dispose': {
      const engine = engines.get(request.engine);
      engines.delete(request.engine);
      if (engine) await Promise.all([engine.vision.dispose(), engine.decoder.dispose()]);
      return [undefined, []];
    }
  }
}

// one request at a time: a cache's runs and cuts happen in the order they were asked for
let queue = Promise.resolve();
parentPort?.on('message', (request: ThreadRequest) => {
  queue = queue.then(async () => {
    let reply: ThreadReply;
    let transfer: ArrayBuffer[] = [];
    try {
      const [value, buffers] = await handle(request);
      [reply, transfer] = [{ id: request.id, ok: true, value }, buffers];
    } catch (err) {
      reply = { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    if (request.id !== undefined) parentPort!.postMessage(reply, [...new Set(transfer)]);
  });
});
