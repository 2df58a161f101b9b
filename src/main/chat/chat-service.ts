// Conversations about photos: a person's message, then the model's answer streamed as text deltas
// (chat.delta events) and stored when it ends (chat.message event); stop, regenerate, feedback, and
// "add to dataset", which turns an answered (or corrected) turn into a reviewed sample.
import { ApiError } from '../../shared/api';
import { changeSettings, DEFAULT_GENERATION_SETTINGS, type ChatDetail, type ChatMessage, type ChatPrefilled, type ChatPrefillResult, type ChatSendResult, type GenerationSettings, type GenerationSettingsChange } from '../../shared/chat';
import type { Sample } from '../../shared/datasets';
import type { EventBus } from '../core/event-bus';
import type { DatasetStore } from '../data/dataset-store';
import type { Turn } from '../model/prompt';
import type { ModelRegistry } from '../registry/model-registry';
import type { Quantization } from '../onnx/export-options';
import { answer } from '../runtime/answer';
import { prefillAnswer } from '../runtime/answer-prefill';
import type { ChatStore } from './chat-store';
import type { EnginePool } from './engine-pool';
import { pushAll } from '../../shared/array-utils';

export interface ChatServiceDeps {
  chats: ChatStore;
  engines: EnginePool;
  datasets: DatasetStore;
  models: ModelRegistry;
  events: EventBus;
}

const TITLE_LENGTH = 60;

export class ChatService {
  private readonly streaming = new Map<number, AbortController>();
  /** the text so far of answers still streaming (stored when they end) */
  private readonly partial = new Map<number, string>();
  /** background prefills of the question being written, by composer slot */
  private readonly prefills = new Map<string, AbortController>();

  constructor(private readonly deps: ChatServiceDeps) {
    deps.chats.markInterrupted();
  }

  send(input: { chatId?: number; modelId: string; text: string; imageIds: string[]; settings?: GenerationSettingsChange }): ChatSendResult {
    const model = this.deps.models.get(input.modelId);
    for (const id of input.imageIds) this.deps.datasets.imageFilePath(id); // every photo must be stored
    const chats = this.deps.chats;
    const chat = input.chatId ? chats.chat(input.chatId) : chats.createChat(input.text.slice(0, TITLE_LENGTH), model.id);
    if (chats.messages(chat.id).some((m) => m.status === 'streaming')) throw new ApiError('conflict', 'this chat is still answering; stop it or wait', 'chatId');
    const userMessage = chats.addMessage({ chatId: chat.id, role: 'user', text: input.text, imageIds: input.imageIds, status: 'done' });
    const assistantMessage = this.startAnswer(chat.id, model.id, changeSettings(DEFAULT_GENERATION_SETTINGS, input.settings));
    return { chat: chats.chat(chat.id), userMessage, assistantMessage };
  }

  /**
   * Prefill on attach: prepare the next answer's prompt (the chat so far and these photos) in the
   * background while the question is written, replacing the slot's earlier prefill; without a
   * model or photos, or while the chat is still answering, only that earlier prefill is cancelled.
   * Failures are left for the question to report.
   */
  prefill(input: { slot: string; chatId?: number; modelId?: string; imageIds: string[]; quant: Quantization }): ChatPrefillResult {
    this.prefills.get(input.slot)?.abort(new Error('prefill replaced'));
    this.prefills.delete(input.slot);
    if (!input.modelId || input.imageIds.length === 0) return { prefilling: false };
    const model = this.deps.models.get(input.modelId);
    for (const id of input.imageIds) this.deps.datasets.imageFilePath(id); // every photo must be stored
    const history = input.chatId ? this.deps.chats.messages(this.deps.chats.chat(input.chatId).id) : [];
    if (history.some((m) => m.status === 'streaming')) return { prefilling: false };
    const question = { role: 'user', text: '', imageIds: input.imageIds } as ChatMessage;
    const { turns, images } = this.conversation([...history, question]);
    const controller = new AbortController();
    this.prefills.set(input.slot, controller);
    const ended = (outcome: ChatPrefilled['outcome'], error?: string) => {
      if (this.prefills.get(input.slot) === controller) this.prefills.delete(input.slot);
      this.deps.events.publish('chat.prefilled', { slot: input.slot, outcome, ...(error ? { error } : {}) });
    };
    this.deps.engines
      .withModel(model.id, input.quant, ({ engine, tokenizer }) => prefillAnswer(engine, tokenizer, { turns: turns.slice(0, -1), images }, controller.signal))
      .then((outcome) => ended(outcome), (err: Error) => ended(controller.signal.aborted ? 'cancelled' : 'failed', err.message));
    return { prefilling: true };
  }

  /** Answer the last question again (the previous answer is replaced). */
  regenerate(messageId: number, settings?: GenerationSettingsChange): ChatMessage {
    const old = this.deps.chats.message(messageId);
    if (old.role !== 'assistant') throw new ApiError('invalid_input', 'only an answer can be regenerated', 'messageId');
    const messages = this.deps.chats.messages(old.chatId);
    if (messages.at(-1)?.id !== old.id) throw new ApiError('conflict', 'only the last answer of a chat can be regenerated', 'messageId');
    if (old.status === 'streaming') throw new ApiError('conflict', 'this answer is still streaming; stop it first', 'messageId');
    this.deps.chats.deleteMessage(old.id);
    return this.startAnswer(old.chatId, old.modelId!, changeSettings({ ...DEFAULT_GENERATION_SETTINGS, ...old.settings }, settings));
  }

  /** A chat as stored, with the text so far of an answer still streaming. */
  detail(chatId: number): ChatDetail {
    const detail = this.deps.chats.detail(chatId);
    return { ...detail, messages: detail.messages.map((m) => (this.partial.has(m.id) ? { ...m, text: this.partial.get(m.id)! } : m)) };
  }

  stop(messageId: number): ChatMessage {
    this.streaming.get(messageId)?.abort(new Error('stopped'));
    return this.deps.chats.message(messageId);
  }

  feedback(messageId: number, change: { rating?: 'up' | 'down' | null; correctedText?: string | null }): ChatMessage {
    const message = this.deps.chats.message(messageId);
    if (message.role !== 'assistant') throw new ApiError('invalid_input', 'feedback is given on answers', 'messageId');
    const updated = this.deps.chats.setFeedback(messageId, change);
    this.deps.events.publish('chat.message', updated);
    return updated;
  }

  /** One reviewed sample from an answer: its question's photos, the question and the (corrected) answer. */
  toSample(messageId: number, datasetId: number): Sample {
    const answerMessage = this.deps.chats.message(messageId);
    if (answerMessage.role !== 'assistant') throw new ApiError('invalid_input', 'choose an answer to add to a dataset', 'messageId');
    const messages = this.deps.chats.messages(answerMessage.chatId);
    const index = messages.findIndex((m) => m.id === messageId);
    const question = messages.slice(0, index).reverse().find((m) => m.role === 'user');
    if (!question) throw new ApiError('invalid_input', 'this answer has no question before it', 'messageId');
    const imageIds = messages.slice(0, index).flatMap((m) => m.imageIds);
    if (imageIds.length === 0) throw new ApiError('invalid_input', 'a sample needs at least one photo; this conversation has none', 'messageId');
    const corrected = answerMessage.correctedText !== undefined && answerMessage.correctedText !== answerMessage.text;
    const text = answerMessage.correctedText ?? answerMessage.text;
    const sample = this.deps.datasets.createSample(datasetId, {
      imageIds,
      turns: [{ user: question.text, assistant: text, origin: corrected ? 'person' : 'model', ...(corrected ? {} : { model: answerMessage.modelId }) }],
      status: 'review',
      tags: ['from-chat'],
    });
    this.deps.events.publish('chat.message', this.deps.chats.setSample(messageId, sample.id, datasetId));
    return sample;
  }

  stopAll(): void {
    for (const controller of [...this.streaming.values(), ...this.prefills.values()]) controller.abort(new Error('the studio is closing'));
  }

  private startAnswer(chatId: number, modelId: string, settings: GenerationSettings): ChatMessage {
    const message = this.deps.chats.addMessage({ chatId, role: 'assistant', text: '', modelId, settings, status: 'streaming' });
    const controller = new AbortController();
    this.streaming.set(message.id, controller);
    void this.generate(message, settings, controller.signal).finally(() => {
      this.streaming.delete(message.id);
      this.partial.delete(message.id);
    });
    return message;
  }

  private async generate(message: ChatMessage, settings: GenerationSettings, signal: AbortSignal): Promise<void> {
    const { events, chats } = this.deps;
    let text = '';
    try {
      const history = chats.messages(message.chatId).filter((m) => m.id !== message.id);
      const { turns, images } = this.conversation(history);
      const result = await this.deps.engines.withModel(message.modelId!, settings.quant, ({ engine, tokenizer }) =>
        answer(engine, tokenizer, {
          turns,
          images,
          ...settings,
          signal,
          onText: (delta) => {
            text += delta;
            this.partial.set(message.id, text);
            events.publish('chat.delta', { chatId: message.chatId, messageId: message.id, delta });
          },
        }),
      );
      const stats = {
        ttftMs: result.ttftMs, tokensPerSecond: result.decodeTokensPerSecond, tokens: result.tokenIds.length, stopReason: result.stopReason,
        reusedPositions: result.reusedPositions, promptPositions: result.promptPositions,
      };
      events.publish('chat.message', chats.finishMessage(message.id, { text: result.text, status: result.stopReason === 'cancelled' ? 'stopped' : 'done', stats }));
    } catch (err) {
      const stopped = signal.aborted;
      events.publish('chat.message', chats.finishMessage(message.id, { text, status: stopped ? 'stopped' : 'failed', ...(stopped ? {} : { error: (err as Error).message }) }));
    }
  }

  /** Prompt turns and photo files from the stored messages (corrections replace answers). */
  private conversation(history: ChatMessage[]): { turns: Turn[]; images: string[] } {
    const turns: Turn[] = [];
    const images: string[] = [];
    for (const m of history) {
      if (m.role === 'user') {
        // a question whose answer failed is left out of the context (its photos stay)
        if (turns.length && turns.at(-1)!.assistant === undefined) turns.pop();
        turns.push({ user: m.text });
        pushAll(images, m.imageIds.map((id) => this.deps.datasets.imageFilePath(id)));
      } else if (turns.length && m.status !== 'failed') {
        turns[turns.length - 1]!.assistant = m.correctedText ?? m.text;
      }
    }
    return { turns, images };
  }
}
