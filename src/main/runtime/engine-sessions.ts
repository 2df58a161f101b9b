// An export's two graphs as sessions on the calling thread: the vision encoder and the decoder.
// (The engine loads them here, or on the inference thread, which calls this same function.)
import type { NanoVLMConfig } from '../model/config';
import type { CacheLayout } from '../onnx/decoder-io';
import { DecoderSession, WEBGPU_FUSED_MAX_RUN } from './decoder-session';
import { createSession, type SessionSettings } from './onnx-session';
import { VisionEncoder } from './vision-encoder';

export interface EngineGraphs {
  visionPath: string;
  decoderPath: string;
  config: NanoVLMConfig;
  /** how the decoder graph takes its cache */
  cacheLayout: CacheLayout;
}

export async function loadEngineSessions(graphs: EngineGraphs, settings: SessionSettings): Promise<{ vision: VisionEncoder; decoder: DecoderSession }> {
  // the vision session runs once per request: its threads do not spin after it, leaving the cores to the decoder
  const created = await Promise.allSettled([createSession(graphs.visionPath, { ...settings, spinning: false }), createSession(graphs.decoderPath, settings)]);
  const sessions = created.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (sessions.length < created.length) {
    // the session that was made is released, not left holding device memory
    await Promise.all(sessions.map((s) => s.release()));
    throw (created.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const [vision, decoder] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
  const maxRun = settings.provider === 'webgpu' && graphs.cacheLayout === 'heads' ? WEBGPU_FUSED_MAX_RUN : undefined;
  return { vision: new VisionEncoder(vision, graphs.config), decoder: new DecoderSession(decoder, graphs.config, graphs.cacheLayout, maxRun) };
}
