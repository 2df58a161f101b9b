// The desktop door's contract, one definition for its three parts: the Electron shell answers on
// the call channel and sends events on the event channel; the preload exposes a DesktopBridge as
// window.studio; the renderer wraps it into a StudioClient (desktopClient).
// A failure comes back through the bridge as a value (a DoorAnswer), never as a thrown error: an
// Error that crosses Electron's context bridge keeps only its message, and the renderer needs its
// code and field as the web door gives them.
import type { EventPayloads, EventTopic, MethodInput, MethodName, MethodOutput } from './api';
import type { MediaKind, StudioClient } from './client';
import { answerResult, type DoorAnswer } from './errors';
import { ELECTRON_MEDIA_SCHEME } from './security';

/** invoke(IPC_CALL_CHANNEL, method, input) → DoorAnswer */
export const IPC_CALL_CHANNEL = 'studio:call';
/** send(IPC_EVENT_CHANNEL, topic, payload) from the shell to the window */
export const IPC_EVENT_CHANNEL = 'studio:event';

/** What the preload exposes as window.studio: plain data and functions only. */
export interface DesktopBridge {
  readonly door: 'electron';
  call(method: string, input: unknown): Promise<DoorAnswer>;
  /** returns the function that stops listening */
  subscribe(topic: string, handler: (payload: unknown) => void): () => void;
}

/** The renderer's client over the preload's bridge. */
export function desktopClient(bridge: DesktopBridge): StudioClient {
  return {
    door: 'electron',
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      return answerResult(await bridge.call(method, input)) as MethodOutput<M>;
    },
    subscribe<T extends EventTopic>(topic: T, handler: (payload: EventPayloads[T]) => void): () => void {
      return bridge.subscribe(topic, handler as (payload: unknown) => void);
    },
    mediaUrl(kind: MediaKind, id: string): string {
      return `${ELECTRON_MEDIA_SCHEME}://${kind}/${id}`;
    },
  };
}
