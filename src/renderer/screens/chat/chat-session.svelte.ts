// One conversation with one model: its messages, kept current by the stream, and the calls that
// change it (send, stop, regenerate, feedback). Side-by-side mode holds two of these.
import type { ChatMessage, GenerationSettings } from '../../../shared/chat';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';
import { adopt, type StreamTarget } from './chat-events.svelte';

export class ChatSession implements StreamTarget {
  chatId = $state<number | undefined>();
  modelId = $state('');
  messages = $state<ChatMessage[]>([]);
  /** bumps on every change of the text, so views can follow the stream */
  revision = $state(0);

  constructor(modelId = '') {
    this.modelId = modelId;
  }

  get streamingMessage(): ChatMessage | undefined {
    return this.messages.find((m) => m.status === 'streaming');
  }

  get lastAnswer(): ChatMessage | undefined {
    const last = this.messages.at(-1);
    return last?.role === 'assistant' ? last : undefined;
  }

  clear(): void {
    this.chatId = undefined;
    this.messages = [];
  }

  async open(chatId: number): Promise<void> {
    try {
      const detail = await client.call('chat.get', { chatId });
      this.chatId = detail.id;
      this.modelId = detail.messages.findLast((m) => m.modelId)?.modelId ?? detail.modelId;
      this.messages = detail.messages;
    } catch (err) {
      reportError(err, 'Could not open the chat');
    }
  }

  /** false when the call failed (already reported) */
  async send(text: string, imageIds: string[], settings: GenerationSettings): Promise<boolean> {
    try {
      const sent = await client.call('chat.send', { chatId: this.chatId, modelId: this.modelId, text, imageIds, settings });
      this.chatId = sent.chat.id;
      this.messages.push(sent.userMessage, adopt(sent.assistantMessage));
      this.revision++;
      return true;
    } catch (err) {
      reportError(err, 'Could not send the question');
      return false;
    }
  }

  async stop(): Promise<void> {
    const streaming = this.streamingMessage;
    if (!streaming) return;
    try {
      await client.call('chat.stop', { messageId: streaming.id });
    } catch (err) {
      reportError(err, 'Could not stop the answer');
    }
  }

  async regenerate(settings: GenerationSettings): Promise<void> {
    const last = this.lastAnswer;
    if (!last) return;
    try {
      const fresh = await client.call('chat.regenerate', { messageId: last.id, settings });
      this.messages.splice(this.messages.indexOf(last), 1, adopt(fresh));
      this.revision++;
    } catch (err) {
      reportError(err, 'Could not regenerate the answer');
    }
  }

  async feedback(messageId: number, change: { rating?: 'up' | 'down' | null; correctedText?: string | null }): Promise<void> {
    try {
      this.applyMessage(await client.call('chat.feedback', { messageId, ...change }));
    } catch (err) {
      reportError(err, 'Could not save the feedback');
    }
  }

  applyDelta(messageId: number, delta: string): boolean {
    const message = this.messages.find((m) => m.id === messageId);
    if (!message) return false;
    if (message.status === 'streaming') message.text += delta;
    this.revision++;
    return true;
  }

  applyMessage(message: ChatMessage): boolean {
    const index = this.messages.findIndex((m) => m.id === message.id);
    if (index < 0) return false;
    this.messages[index] = message;
    this.revision++;
    return true;
  }
}
