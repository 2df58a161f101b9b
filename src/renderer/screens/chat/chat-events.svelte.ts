// One subscription to the chat streams for the whole screen, routed to the open sessions. A delta
// or an ended answer can arrive before the call that started it has returned (the event stream and
// the call are separate connections): those wait here until a session adopts their message.
import type { ChatMessage } from '../../../shared/chat';
import { client } from '../../lib/client';

export interface StreamTarget {
  applyDelta(messageId: number, delta: string): boolean;
  applyMessage(message: ChatMessage): boolean;
}

const KEEP_ORPHANS = 64;
const targets = new Set<StreamTarget>();
const orphanDeltas = new Map<number, string>();
const orphanMessages = new Map<number, ChatMessage>();
let subscribed = false;

function keep<T>(map: Map<number, T>, id: number, value: T): void {
  map.set(id, value);
  if (map.size > KEEP_ORPHANS) map.delete(map.keys().next().value!);
}

function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  client.subscribe('chat.delta', ({ messageId, delta }) => {
    if (![...targets].some((t) => t.applyDelta(messageId, delta))) keep(orphanDeltas, messageId, (orphanDeltas.get(messageId) ?? '') + delta);
  });
  client.subscribe('chat.message', (message) => {
    if (![...targets].some((t) => t.applyMessage(message))) keep(orphanMessages, message.id, message);
  });
}

/** Route stream events to `target` until the returned function is called. */
export function listen(target: StreamTarget): () => void {
  subscribeOnce();
  targets.add(target);
  return () => targets.delete(target);
}

/** A message as a call returned it, brought up to date with what the stream already said. */
export function adopt(message: ChatMessage): ChatMessage {
  const ended = orphanMessages.get(message.id);
  orphanMessages.delete(message.id);
  const early = orphanDeltas.get(message.id) ?? '';
  orphanDeltas.delete(message.id);
  if (ended) return ended;
  return early ? { ...message, text: message.text + early } : message;
}
