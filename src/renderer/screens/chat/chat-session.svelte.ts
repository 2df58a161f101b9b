// One conversation with one model: its messages, kept current by the stream, and the calls that
// change it (send, stop, regenerate, feedback). Side-by-side mode holds two of these.
import type { ChatMessage, GenerationSettings } from '../../../shared/chat';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';
import { adopt, type StreamTarget } from './chat-events.svelte';

export class ChatSession implements StreamTarget {
  chatId = $state<number | undefined>();
  modelId = $state('');
  /** the chat's system prompt; for a chat not started yet, the one it will start with */
  systemPrompt = $state('');
  /** the other side of a side-by-side comparison */
  pairedChatId = $state<number | undefined>();
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
    this.pairedChatId = undefined;
    this.messages = [];
  }

  /** false when the chat could not be opened (already reported) */
  async open(chatId: number): Promise<boolean> {
    try {
      const detail = await client.call('chat.get', { chatId });
      this.chatId = detail.id;
      this.modelId = detail.messages.findLast((m) => m.modelId)?.modelId ?? detail.modelId;
      this.systemPrompt = detail.systemPrompt;
      this.pairedChatId = detail.pairedChatId;
      this.messages = detail.messages;
      return true;
    } catch (err) {
      reportError(err, 'Could not open the chat');
      return false;
    }
  }

  /** false when the call failed (already reported); `pairWith`: the left side of a new comparison */
  async send(text: string, imageIds: string[], settings: GenerationSettings, pairWith?: number): Promise<boolean> {
    try {
      const start =
        this.chatId === undefined ? { ...(this.systemPrompt.trim() ? { systemPrompt: this.systemPrompt.trim() } : {}), ...(pairWith ? { pairWith } : {}) } : {};
      const sent = await client.call('chat.send', { chatId: this.chatId, modelId: this.modelId, text, imageIds, settings, ...start });
      this.chatId = sent.chat.id;
      this.pairedChatId = sent.chat.pairedChatId;
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

  async showVariant(messageId: number): Promise<void> {
    const last = this.lastAnswer;
    if (!last) return;
    try {
      const shown = await client.call('chat.showVariant', { messageId });
      this.messages.splice(this.messages.indexOf(last), 1, shown);
      this.revision++;
    } catch (err) {
      reportError(err, 'Could not show that answer');
    }
  }

  /** The chat's system prompt: saved at once for a chat that exists, else kept for its first question. */
  async setSystemPrompt(text: string): Promise<void> {
    this.systemPrompt = text;
    if (this.chatId === undefined) return;
    try {
      await client.call('chat.update', { chatId: this.chatId, systemPrompt: text.trim() });
    } catch (err) {
      reportError(err, 'Could not save the system prompt');
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
