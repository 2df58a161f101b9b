// Links into the Chat screen: "chat with this model" from Models and Runs, and from the welcome a
// model with a photo and a question ready to send.
import { goTo } from '../../lib/hash-path.svelte';

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
