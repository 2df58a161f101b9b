// Links into the Chat screen: "chat with this model" from Models and Runs.
import { goTo } from '../../lib/hash-path.svelte';

export function openChatWith(modelId: string): void {
  goTo('chat', 'model', modelId);
}

/** the model a link asked for (#/chat/model/<id>), if any */
export function requestedModel(parts: string[]): string | undefined {
  return parts[0] === 'model' ? parts[1] : undefined;
}
