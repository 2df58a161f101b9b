// Creating ONNX Runtime sessions: from a graph file (so that external data is found beside it), or
// from a graph's bytes (the trainer's graphs, whose weights are inputs).
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import type { InferenceProvider } from './providers';

export interface SessionSettings {
  provider: InferenceProvider;
  /** intra-op threads; default: every core */
  threads?: number;
  /**
   * Let idle worker threads spin for a while after a run (lower latency for back-to-back runs).
   * Off for a session that runs once per request (vision), whose spinning would steal the cores
   * from the decoder that runs right after it.
   */
  spinning?: boolean;
}

export async function createSession(graph: string | Uint8Array, settings: SessionSettings, name = typeof graph === 'string' ? graph : 'graph'): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: settings.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: settings.spinning === false ? '0' : '1' } } },
  };
  try {
    return await (typeof graph === 'string' ? ort.InferenceSession.create(graph, options) : ort.InferenceSession.create(graph, options));
  } catch (err) {
    throw new Error(`${name}: ONNX Runtime could not load the graph (${(err as Error).message})`);
  }
}
