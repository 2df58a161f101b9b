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
  /**
   * Flush denormal floats to zero. For training graphs: AdamW's second moments and the squares of
   * small gradients fall below float32's normal range, where the CPU's arithmetic is ~100× slower
   * (measured: a 222M step's kernels 4.2 s → 1.9 s with random weights); values that small change nothing.
   */
  flushDenormals?: boolean;
}

export async function createSession(graph: string | Uint8Array, settings: SessionSettings, name = typeof graph === 'string' ? graph : 'graph'): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: settings.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: settings.spinning === false ? '0' : '1' }, set_denormal_as_zero: settings.flushDenormals ? '1' : '0' } },
  };
  try {
    return await (typeof graph === 'string' ? ort.InferenceSession.create(graph, options) : ort.InferenceSession.create(graph, options));
  } catch (err) {
    throw new Error(`${name}: ONNX Runtime could not load the graph (${(err as Error).message})`);
  }
}
