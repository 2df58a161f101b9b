// A stand-in for the parts of Electron the desktop door uses, since the Electron binary cannot run
// here: ipcMain and ipcRenderer joined to each other, the window's webContents, and a
// contextBridge whose main world is a plain object (the renderer's `window`). Values cross as they
// do in Electron: IPC arguments and results by structured clone, delivered asynchronously; the
// context bridge copies values, proxies functions, and an Error crossing it keeps only its message
// (Electron's documented behaviour, which is why the bridge returns failures as values).
import type { CallEvent } from '../../src/main/electron/ipc-door';

type MainListener = (event: CallEvent, ...args: unknown[]) => Promise<unknown>;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export class ElectronStandIn {
  /** the address of the frame that sends the renderer's calls; null: the frame is gone */
  frameUrl: string | null;
  /** what the preload exposed, as the renderer's page sees it */
  readonly mainWorld: Record<string, unknown> = {};
  private readonly mainHandlers = new Map<string, MainListener>();
  private readonly rendererListeners = new Map<string, Set<RendererListener>>();

  constructor(frameUrl: string) {
    this.frameUrl = frameUrl;
  }

  readonly ipcMain = {
    handle: (channel: string, listener: MainListener): void => {
      if (this.mainHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.mainHandlers.set(channel, listener);
    },
    removeHandler: (channel: string): void => void this.mainHandlers.delete(channel),
  };

  readonly ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]): Promise<unknown> => {
      const handler = this.mainHandlers.get(channel);
      if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
      const event: CallEvent = { senderFrame: this.frameUrl === null ? null : { url: this.frameUrl } };
      return structuredClone(await handler(event, ...structuredClone(args)));
    },
    on: (channel: string, listener: RendererListener): void => {
      let set = this.rendererListeners.get(channel);
      if (!set) this.rendererListeners.set(channel, (set = new Set()));
      set.add(listener);
    },
  };

  /** the window's webContents: what the shell sends events through */
  readonly webContents = {
    send: (channel: string, ...args: unknown[]): void => {
      const copied = structuredClone(args);
      setImmediate(() => {
        for (const listener of this.rendererListeners.get(channel) ?? []) listener({}, ...copied);
      });
    },
  };

  readonly contextBridge = {
    exposeInMainWorld: (apiKey: string, api: unknown): void => {
      this.mainWorld[apiKey] = acrossBridge(api);
    },
  };

  /** Whether a handler answers on this channel. */
  handles(channel: string): boolean {
    return this.mainHandlers.has(channel);
  }
}

/** A value as the other side of the context bridge receives it. */
function acrossBridge(value: unknown): unknown {
  if (typeof value === 'function') {
    return (...args: unknown[]) => {
      let result: unknown;
      try {
        result = (value as (...a: unknown[]) => unknown)(...args.map(acrossBridge));
      } catch (err) {
        throw messageOnly(err);
      }
      if (result instanceof Promise) return result.then(acrossBridge, (err: unknown) => Promise.reject(messageOnly(err)));
      return acrossBridge(result);
    };
  }
  if (value instanceof Error) return messageOnly(value);
  if (Array.isArray(value)) return value.map(acrossBridge);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, acrossBridge(v)]));
  return value;
}

function messageOnly(err: unknown): Error {
  return new Error(err instanceof Error ? err.message : String(err));
}
