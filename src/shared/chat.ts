// Chats as the renderer sees them: conversations with photos and one model, each answer with its
// settings, speed and the person's feedback.
import { z } from 'zod';
import { imageIdSchema } from './datasets';
import { modelIdSchema } from './models';

export const QUANTIZATION_CHOICES = ['none', 'int8', 'int4'] as const;

/** Each generation setting and its bounds. */
const settingFields = {
  greedy: z.boolean(),
  temperature: z.number().min(0.01).max(5),
  topK: z.number().int().min(0).max(1000),
  topP: z.number().gt(0).max(1),
  repetitionPenalty: z.number().min(1).max(3),
  maxNewTokens: z.number().int().min(1).max(4096),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  quant: z.enum(QUANTIZATION_CHOICES),
};

/** Generation settings; defaults follow nanoVLM's generate.py where it has them (no seed: a random one). */
export const generationSettingsSchema = z
  .object({
    greedy: settingFields.greedy.default(false),
    temperature: settingFields.temperature.default(0.5),
    topK: settingFields.topK.default(50),
    topP: settingFields.topP.default(0.9),
    repetitionPenalty: settingFields.repetitionPenalty.default(1.0),
    maxNewTokens: settingFields.maxNewTokens.default(128),
    seed: settingFields.seed.optional(),
    quant: settingFields.quant.default('none'),
  })
  .strict();
export type GenerationSettings = z.output<typeof generationSettingsSchema>;
export const DEFAULT_GENERATION_SETTINGS: GenerationSettings = generationSettingsSchema.parse({});

/**
 * The settings a call changes, the others left as they are. Not `generationSettingsSchema.partial()`:
 * that still fills in every default, so `{ maxNewTokens: 4 }` would reset all the other settings.
 */
export const generationSettingsChangeSchema = z.object(settingFields).partial().strict();
export type GenerationSettingsChange = z.output<typeof generationSettingsChangeSchema>;

/** Settings with a change applied; a setting the change leaves undefined keeps its value. */
export function changeSettings(settings: GenerationSettings, change: GenerationSettingsChange | undefined): GenerationSettings {
  const given = Object.entries(change ?? {}).filter(([, value]) => value !== undefined);
  return { ...settings, ...Object.fromEntries(given) };
}

export type MessageStatus = 'streaming' | 'done' | 'stopped' | 'failed';

export interface AnswerStats {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
  /** context_length: the model's context was full before the answer's max tokens */
  stopReason: 'eos' | 'max_tokens' | 'context_length' | 'cancelled';
  /** request to last token, in ms (older answers lack it) */
  totalMs?: number;
  /** prompt positions served from the previous answer's KV cache (earlier turns, photos already seen) */
  reusedPositions?: number;
  promptPositions?: number;
}

export interface ChatMessage {
  id: number;
  chatId: number;
  role: 'user' | 'assistant';
  text: string;
  imageIds: string[];
  /** assistant: the model that answered, with its settings and speed */
  modelId?: string;
  settings?: GenerationSettings;
  stats?: AnswerStats;
  status: MessageStatus;
  error?: string;
  feedback?: 'up' | 'down';
  /** the person's correction of an answer */
  correctedText?: string;
  /** the dataset sample this answer was added as */
  addedTo?: { sampleId: number; datasetId: number };
  /** answers to the same question kept by regenerate: this one is `index` (1-based) of `ids` */
  variant?: { index: number; count: number; ids: number[] };
  createdAt: number;
}

export interface ChatSummary {
  id: number;
  title: string;
  modelId: string;
  /** instructions put before the conversation ('' for none) */
  systemPrompt: string;
  /** the other chat of a side-by-side comparison */
  pairedChatId?: number;
  messageCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface ChatDetail extends ChatSummary {
  messages: ChatMessage[];
}

const chatId = z.number().int().positive();
const messageId = z.number().int().positive();

export const SYSTEM_PROMPT_MAX = 4000;
const systemPrompt = z.string().max(SYSTEM_PROMPT_MAX);

export const chatSendSchema = z
  .object({
    /** absent: a new chat */
    chatId: chatId.optional(),
    modelId: modelIdSchema,
    text: z.string().trim().min(1, 'ask something').max(20_000),
    imageIds: z.array(imageIdSchema).max(16).default([]),
    settings: generationSettingsChangeSchema.optional(),
    /** a new chat: its system prompt */
    systemPrompt: systemPrompt.optional(),
    /** a new chat: the chat it is compared with side by side (linked both ways) */
    pairWith: chatId.optional(),
  })
  .strict();

export const chatListSchema = z.object({ query: z.string().trim().max(200).optional() }).strict();
export const chatUpdateSchema = z
  .object({ chatId, title: z.string().trim().min(1, 'a title cannot be empty').max(200).optional(), systemPrompt: systemPrompt.optional() })
  .strict();
export const CHAT_EXPORT_FORMATS = ['json', 'markdown'] as const;
export const chatExportSchema = z.object({ chatId, format: z.enum(CHAT_EXPORT_FORMATS) }).strict();

/** A chat written out as a file for the person to save (the renderer offers it as a download). */
export interface ChatExport {
  fileName: string;
  mimeType: string;
  content: string;
}

/** What "add to dataset" takes: the whole conversation up to the answer, or the answer's turn only. */
export const SAMPLE_SCOPES = ['conversation', 'turn'] as const;
export type SampleScope = (typeof SAMPLE_SCOPES)[number];

export const chatFeedbackSchema = z
  .object({
    messageId,
    rating: z.enum(['up', 'down']).nullable().optional(),
    correctedText: z.string().max(20_000).nullable().optional(),
  })
  .strict();

/**
 * Prefill on attach: the photos attached to the question being written, for one composer `slot`
 * (side by side has two). The core prepares the answer's prompt up to the question in the
 * background; a later call for the same slot replaces it, and one without a model or photos
 * cancels it.
 */
export const chatPrefillSchema = z
  .object({
    slot: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a short name of letters, digits, - or _'),
    /** absent: a new chat */
    chatId: chatId.optional(),
    modelId: modelIdSchema.optional(),
    imageIds: z.array(imageIdSchema).max(16).default([]),
    quant: z.enum(QUANTIZATION_CHOICES).default('none'),
  })
  .strict();

export interface ChatPrefillResult {
  /** false when there was nothing to prefill (no model or no photo): any earlier prefill of the slot is cancelled */
  prefilling: boolean;
}

/** How a prefill on attach ended: its photos ready for the question (done), replaced or stopped, or failed. */
export interface ChatPrefilled {
  slot: string;
  outcome: 'done' | 'cancelled' | 'failed';
  error?: string;
}

export const chatToSampleSchema = z
  .object({ messageId, datasetId: z.number().int().positive(), scope: z.enum(SAMPLE_SCOPES).default('conversation') })
  .strict();
export const samplePreviewSchema = z.object({ messageId, scope: z.enum(SAMPLE_SCOPES).default('conversation') }).strict();

/** The sample an answer would become: its photos and turns, each answer with where it came from. */
export interface SamplePreview {
  imageIds: string[];
  turns: { user: string; assistant: string; origin: 'person' | 'model'; model?: string }[];
}
export const chatIdInput = z.object({ chatId }).strict();
export const messageIdInput = z.object({ messageId }).strict();
export const regenerateSchema = z.object({ messageId, settings: generationSettingsChangeSchema.optional() }).strict();

export interface ChatSendResult {
  chat: ChatSummary;
  userMessage: ChatMessage;
  /** streams through chat.delta events, ends with a chat.message event */
  assistantMessage: ChatMessage;
}
