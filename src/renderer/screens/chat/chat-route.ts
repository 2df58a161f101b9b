// Links into the Chat screen: a chat by id (#/chat/<id>, so a reload returns to it), "chat with
// this model" from Models and Runs, and from the welcome a model with a photo and a question ready.
import { goTo, hashPath } from '../../lib/hash-path.svelte';

export interface ChatPhoto {
  imageId: string;
  question: string;
}

export function openChatWith(modelId: string, photo?: ChatPhoto): void {
  if (photo) goTo('chat', 'model', modelId, 'photo', photo.imageId, photo.question);
  else goTo('chat', 'model', modelId);
}

/** the model a link asked for (#/chat/model/<id>), if any */
export function requestedModel(parts: string[]): string | undefined {
  return parts[0] === 'model' ? parts[1] : undefined;
}

/** the photo and question a link brought (#/chat/model/<id>/photo/<imageId>/<question>), if any */
export function requestedPhoto(parts: string[]): ChatPhoto | undefined {
  if (parts[0] !== 'model' || parts[2] !== 'photo' || !parts[3]) return undefined;
  return { imageId: parts[3], question: parts[4] ?? '' };
}

/** the chat a link names (#/chat/<id>), if any */
export function requestedChat(parts: string[]): number | undefined {
  const id = /^\d+$/.test(parts[0] ?? '') ? Number(parts[0]) : undefined;
  return id && Number.isSafeInteger(id) ? id : undefined;
}

/**
 * Puts the open chat in the address (#/chat/<id>, or #/chat for a new one) without reopening it:
 * `push` adds a history entry (opening another chat), else the entry is replaced (a new chat got its id).
 */
export function showChatInAddress(chatId: number | undefined, push: boolean): void {
  const hash = chatId === undefined ? '#/chat' : `#/chat/${chatId}`;
  if (location.hash === hash) return;
  if (push) history.pushState(null, '', hash);
  else history.replaceState(null, '', hash);
  hashPath.screen = 'chat';
  hashPath.parts = chatId === undefined ? [] : [String(chatId)];
}
