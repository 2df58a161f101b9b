// Creating ONNX Runtime sessions from a graph file (so that external data is found beside it).
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

export async function createSession(path: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: settings.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: settings.spinning === false ? '0' : '1' } } },
  };
  try {
    return await ort.InferenceSession.create(path, options);
  } catch (err) {
    throw new Error(`${path}: ONNX Runtime could not load the graph (${(err as Error).message})`);
  }
}
