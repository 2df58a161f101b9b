// The Electron door, main-process side: answers calls on the IPC call channel with the core's
// results or failures (one DoorAnswer each), only from the studio's own page, and forwards every
// core event to the window. No electron import: main.ts passes ipcMain in, so tests can drive it.
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/desktop-door';
import { ApiError, failedAnswer, type DoorAnswer } from '../../shared/errors';
import type { StudioCore } from '../core/studio-core';
import { isTrustedRendererUrl } from './window-options';

/** The part of an IPC invoke event the door reads: the frame that sent it (null once it is gone). */
export interface CallEvent {
  senderFrame: { url: string } | null;
}

/** The parts of Electron's ipcMain the door uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: CallEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcDoorOptions {
  ipcMain: IpcMainLike;
  core: Pick<StudioCore, 'call' | 'events'>;
  /** file:// address of the renderer's index.html: the only page allowed to call */
  rendererUrl: string;
  /** where events go: the window's webContents, while there is one */
  target: () => { send(channel: string, ...args: unknown[]): void } | undefined;
}

/** Opens the door; returns the function that closes it. */
export function openIpcDoor({ ipcMain, core, rendererUrl, target }: IpcDoorOptions): () => void {
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, method, input): Promise<DoorAnswer> => {
    if (!event.senderFrame || !isTrustedRendererUrl(event.senderFrame.url, rendererUrl)) {
      return failedAnswer(new ApiError('invalid_input', 'calls are accepted only from the studio window'));
    }
    try {
      return { ok: true, result: await core.call(String(method), input) };
    } catch (err) {
      return failedAnswer(err);
    }
  });
  const stopEvents = core.events.onAny((topic, payload) => target()?.send(IPC_EVENT_CHANNEL, topic, payload));
  return () => {
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
    stopEvents();
  };
}
