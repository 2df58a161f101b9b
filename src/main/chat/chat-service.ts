// Conversations about photos: a person's message, then the model's answer streamed as text deltas
// (chat.delta events) and stored when it ends (chat.message event); stop, regenerate, feedback, and
// "add to dataset", which turns an answered (or corrected) turn into a reviewed sample.
import { ApiError } from '../../shared/api';
import {
  changeSettings,
  DEFAULT_GENERATION_SETTINGS,
  type ChatDetail,
  type ChatExport,
  type ChatMessage,
  type ChatPrefilled,
  type ChatPrefillResult,
  type ChatSendResult,
  type GenerationSettings,
  type GenerationSettingsChange,
  type SamplePreview,
  type SampleScope,
} from '../../shared/chat';
import type { Sample } from '../../shared/datasets';
import type { EventBus } from '../core/event-bus';
import type { DatasetStore } from '../data/dataset-store';
import type { Turn } from '../model/prompt';
import type { ModelRegistry } from '../registry/model-registry';
import type { Quantization } from '../onnx/export-options';
import { answer } from '../runtime/answer';
import { prefillAnswer } from '../runtime/answer-prefill';
import { exportChat } from './chat-export';
import { sampleFromChat } from './chat-sample';
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

  send(input: {
    chatId?: number;
    modelId: string;
    text: string;
    imageIds: string[];
    settings?: GenerationSettingsChange;
    systemPrompt?: string;
    pairWith?: number;
  }): ChatSendResult {
    const model = this.deps.models.get(input.modelId);
    for (const id of input.imageIds) this.deps.datasets.imageFilePath(id); // every photo must be stored
    const chats = this.deps.chats;
    if (input.chatId && (input.systemPrompt !== undefined || input.pairWith !== undefined)) {
      throw new ApiError(
        'invalid_input',
        'systemPrompt and pairWith are for a new chat; change a chat with chat.update',
        input.pairWith !== undefined ? 'pairWith' : 'systemPrompt',
      );
    }
    const chat = input.chatId
      ? chats.chat(input.chatId)
      : chats.createChat(input.text.slice(0, TITLE_LENGTH), model.id, { systemPrompt: input.systemPrompt, pairWith: input.pairWith });
    if (chats.messages(chat.id).some((m) => m.status === 'streaming'))
      throw new ApiError('conflict', 'this chat is still answering; stop it or wait', 'chatId');
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
    const system = input.chatId ? this.deps.chats.chat(input.chatId).systemPrompt.trim() : '';
    const controller = new AbortController();
    this.prefills.set(input.slot, controller);
    const ended = (outcome: ChatPrefilled['outcome'], error?: string) => {
      if (this.prefills.get(input.slot) === controller) this.prefills.delete(input.slot);
      this.deps.events.publish('chat.prefilled', { slot: input.slot, outcome, ...(error ? { error } : {}) });
    };
    this.deps.engines
      .withModel(model.id, input.quant, ({ engine, tokenizer }) =>
        prefillAnswer(engine, tokenizer, { turns: turns.slice(0, -1), images, ...(system ? { system } : {}) }, controller.signal),
      )
      .then(
        (outcome) => ended(outcome),
        (err: Error) => ended(controller.signal.aborted ? 'cancelled' : 'failed', err.message),
      );
    return { prefilling: true };
  }

  /** Answer the last question again; the previous answer stays as a variant to go back to. */
  regenerate(messageId: number, settings?: GenerationSettingsChange): ChatMessage {
    const old = this.lastAnswer(messageId, 'regenerated');
    return this.startAnswer(old.chatId, old.modelId!, changeSettings({ ...DEFAULT_GENERATION_SETTINGS, ...old.settings }, settings), old.id);
  }

  /** Show another variant of the last answer in its place (it becomes the conversation's answer). */
  showVariant(messageId: number): ChatMessage {
    const wanted = this.deps.chats.message(messageId);
    const shown = this.deps.chats.messages(wanted.chatId).at(-1);
    if (!shown || !wanted.variant?.ids.includes(shown.id))
      throw new ApiError('conflict', 'only the variants of the last answer of a chat can be shown', 'messageId');
    if (shown.status === 'streaming') throw new ApiError('conflict', 'this answer is still streaming; stop it first', 'messageId');
    return this.deps.chats.showVariant(messageId);
  }

  update(chatId: number, change: { title?: string; systemPrompt?: string }) {
    return this.deps.chats.update(chatId, change);
  }

  exportChat(chatId: number, format: 'json' | 'markdown'): Promise<ChatExport> {
    return exportChat(this.deps.chats.detail(chatId), format, {
      thumbnailPath: (id) => this.deps.datasets.thumbnailPath(id),
      modelName: (id) => this.deps.models.list().find((m) => m.id === id)?.name ?? id,
    });
  }

  private lastAnswer(messageId: number, what: string): ChatMessage {
    const old = this.deps.chats.message(messageId);
    if (old.role !== 'assistant') throw new ApiError('invalid_input', `only an answer can be ${what}`, 'messageId');
    const messages = this.deps.chats.messages(old.chatId);
    if (messages.at(-1)?.id !== old.id) throw new ApiError('conflict', `only the last answer of a chat can be ${what}`, 'messageId');
    if (old.status === 'streaming') throw new ApiError('conflict', 'this answer is still streaming; stop it first', 'messageId');
    return old;
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

  /** The sample an answer would become (chat-sample.ts), for the person to check before adding it. */
  samplePreview(messageId: number, scope: SampleScope): SamplePreview {
    const answerMessage = this.deps.chats.message(messageId);
    return sampleFromChat(this.deps.chats.messages(answerMessage.chatId), messageId, scope);
  }

  /** One sample in "review" from an answer and the conversation before it, tagged from-chat. */
  toSample(messageId: number, datasetId: number, scope: SampleScope = 'conversation'): Sample {
    const { imageIds, turns } = this.samplePreview(messageId, scope);
    const sample = this.deps.datasets.createSample(datasetId, { imageIds, turns, status: 'review', tags: ['from-chat'] });
    this.deps.events.publish('chat.message', this.deps.chats.setSample(messageId, sample.id, datasetId));
    return sample;
  }

  stopAll(): void {
    for (const controller of [...this.streaming.values(), ...this.prefills.values()]) controller.abort(new Error('the studio is closing'));
  }

  private startAnswer(chatId: number, modelId: string, settings: GenerationSettings, variantOf?: number): ChatMessage {
    const message = this.deps.chats.addMessage({
      chatId,
      role: 'assistant',
      text: '',
      modelId,
      settings,
      status: 'streaming',
      ...(variantOf ? { variantOf } : {}),
    });
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
      const system = chats.chat(message.chatId).systemPrompt.trim();
      const result = await this.deps.engines.withModel(message.modelId!, settings.quant, ({ engine, tokenizer }) =>
        answer(engine, tokenizer, {
          turns,
          images,
          ...(system ? { system } : {}),
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
        ttftMs: result.ttftMs,
        tokensPerSecond: result.decodeTokensPerSecond,
        tokens: result.tokenIds.length,
        stopReason: result.contextFull ? ('context_length' as const) : result.stopReason,
        totalMs: result.totalMs,
        reusedPositions: result.reusedPositions,
        promptPositions: result.promptPositions,
      };
      events.publish(
        'chat.message',
        chats.finishMessage(message.id, { text: result.text, status: result.stopReason === 'cancelled' ? 'stopped' : 'done', stats }),
      );
    } catch (err) {
      const stopped = signal.aborted;
      events.publish(
        'chat.message',
        chats.finishMessage(message.id, { text, status: stopped ? 'stopped' : 'failed', ...(stopped ? {} : { error: (err as Error).message }) }),
      );
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
        pushAll(
          images,
          m.imageIds.map((id) => this.deps.datasets.imageFilePath(id)),
        );
      } else if (turns.length && m.status !== 'failed') {
        turns[turns.length - 1]!.assistant = m.correctedText ?? m.text;
      }
    }
    return { turns, images };
  }
}
