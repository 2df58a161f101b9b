// The one interface the renderer talks to: over the Electron preload's bridge (desktop-door.ts) or,
// in a browser, over HTTP (the web client). Renderer code never knows which door it has.
import type { EventPayloads, EventTopic, MethodInput, MethodName, MethodOutput } from './api';
import type { DownloadTicket } from './jobs';

export interface StudioClient {
  readonly door: 'electron' | 'web';
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Listen to an event stream; returns the function that stops listening. */
  subscribe<T extends EventTopic>(topic: T, handler: (payload: EventPayloads[T]) => void): () => void;
  /** URL of a stored image or its thumbnail, by opaque id. */
  mediaUrl(kind: MediaKind, id: string): string;
  /**
   * Hands the person a file a job prepared (a zipped export) as a browser download. Only the
   * browser door has it: the desktop writes exports to a folder of the person's choice instead.
   */
  download?(ticket: DownloadTicket): Promise<void>;
}

export type MediaKind = 'image' | 'thumb';

/** Opaque media ids are lowercase hex content hashes; anything else is refused at the doors. */
export const MEDIA_ID_PATTERN = /^[0-9a-f]{64}$/;
export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'thumb'];
