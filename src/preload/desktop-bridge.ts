// The Electron door, renderer side: the DesktopBridge the preload exposes as window.studio. Calls
// go over one IPC channel and come back as answers (the main process validates everything);
// events arrive on another and reach the renderer's listeners by topic. Electron's objects are
// passed in by index.ts, the only file here that imports electron, so tests can drive this one.
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type DesktopBridge } from '../shared/desktop-door';
import { asApiError, failedAnswer, type DoorAnswer } from '../shared/errors';

/** The parts of Electron's contextBridge and ipcRenderer the bridge uses. */
export interface PreloadElectron {
  contextBridge: { exposeInMainWorld(apiKey: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  };
}

/** The key of the bridge on window. */
export const BRIDGE_KEY = 'studio';

export function exposeDesktopBridge({ contextBridge, ipcRenderer }: PreloadElectron): void {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, topic, payload) => {
    for (const listener of listeners.get(String(topic)) ?? []) listener(payload);
  });
  const bridge: DesktopBridge = {
    door: 'electron',
    async call(method, input) {
      try {
        return (await ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input)) as DoorAnswer;
      } catch (err) {
        // the main process did not answer (no door open, or it crashed)
        return failedAnswer(asApiError(err, method));
      }
    },
    subscribe(topic, handler) {
      let set = listeners.get(topic);
      if (!set) listeners.set(topic, (set = new Set()));
      set.add(handler);
      return () => void set.delete(handler);
    },
  };
  contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
}
