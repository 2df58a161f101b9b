// The Electron door, renderer side: exposes window.studio (the StudioClient shape) through the
// context bridge. It forwards calls over one IPC channel; the main process validates everything.
import { contextBridge, ipcRenderer } from 'electron';
import type { MediaKind } from '../shared/client';

const CALL = 'studio:call';
const EVENT = 'studio:event';

type Handler = (payload: unknown) => void;
const handlers = new Map<string, Set<Handler>>();

ipcRenderer.on(EVENT, (_event, topic: string, payload: unknown) => {
  for (const handler of handlers.get(topic) ?? []) handler(payload);
});

contextBridge.exposeInMainWorld('studio', {
  door: 'electron',
  async call(method: string, input: unknown) {
    const answer = (await ipcRenderer.invoke(CALL, method, input)) as { ok: boolean; result?: unknown; error?: { code: string; message: string; field?: string } };
    if (answer.ok) return answer.result;
    const err = new Error(answer.error?.message ?? 'unknown error') as Error & { code?: string; field?: string };
    err.code = answer.error?.code;
    err.field = answer.error?.field;
    throw err;
  },
  subscribe(topic: string, handler: Handler) {
    let set = handlers.get(topic);
    if (!set) handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  },
  mediaUrl(kind: MediaKind, id: string) {
    return `studio-media://${kind}/${id}`;
  },
});
