// Chats and their messages in SQLite.
import { ApiError } from '../../shared/api';
import type { AnswerStats, ChatDetail, ChatMessage, ChatSummary, GenerationSettings, MessageStatus } from '../../shared/chat';
import type { StudioDatabase } from '../data/database';

interface ChatRow {
  id: number;
  title: string;
  model_id: string;
  created_at: number;
  updated_at: number;
  message_count: number;
}

interface MessageRow {
  id: number;
  chat_id: number;
  role: 'user' | 'assistant';
  text: string;
  image_ids: string;
  model_id: string | null;
  settings: string | null;
  stats: string | null;
  status: MessageStatus;
  error: string | null;
  feedback: 'up' | 'down' | null;
  corrected_text: string | null;
  sample_id: number | null;
  sample_dataset_id: number | null;
  created_at: number;
}

const toSummary = (r: ChatRow): ChatSummary => ({ id: r.id, title: r.title, modelId: r.model_id, messageCount: r.message_count, createdAt: r.created_at, updatedAt: r.updated_at });

function toMessage(r: MessageRow): ChatMessage {
  return {
    id: r.id,
    chatId: r.chat_id,
    role: r.role,
    text: r.text,
    imageIds: JSON.parse(r.image_ids) as string[],
    ...(r.model_id ? { modelId: r.model_id } : {}),
    ...(r.settings ? { settings: JSON.parse(r.settings) as GenerationSettings } : {}),
    ...(r.stats ? { stats: JSON.parse(r.stats) as AnswerStats } : {}),
    status: r.status,
    ...(r.error ? { error: r.error } : {}),
    ...(r.feedback ? { feedback: r.feedback } : {}),
    ...(r.corrected_text !== null ? { correctedText: r.corrected_text } : {}),
    ...(r.sample_id !== null ? { addedTo: { sampleId: r.sample_id, datasetId: r.sample_dataset_id! } } : {}),
    createdAt: r.created_at,
  };
}

const SUMMARY_SQL = `SELECT c.*, (SELECT count(*) FROM chat_messages m WHERE m.chat_id = c.id) AS message_count FROM chats c`;

export class ChatStore {
  constructor(private readonly db: StudioDatabase) {}

  createChat(title: string, modelId: string): ChatSummary {
    const now = Date.now();
    const { lastInsertRowid } = this.db.prepare('INSERT INTO chats (title, model_id, created_at, updated_at) VALUES (?, ?, ?, ?)').run(title, modelId, now, now);
    return this.chat(Number(lastInsertRowid));
  }

  chat(id: number): ChatSummary {
    const row = this.db.prepare(`${SUMMARY_SQL} WHERE c.id = ?`).get(id) as ChatRow | undefined;
    if (!row) throw new ApiError('not_found', `no chat with id ${id}`, 'chatId');
    return toSummary(row);
  }

  list(): ChatSummary[] {
    return (this.db.prepare(`${SUMMARY_SQL} ORDER BY c.updated_at DESC`).all() as ChatRow[]).map(toSummary);
  }

  detail(id: number): ChatDetail {
    return { ...this.chat(id), messages: this.messages(id) };
  }

  messages(chatId: number): ChatMessage[] {
    return (this.db.prepare('SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY id').all(chatId) as MessageRow[]).map(toMessage);
  }

  message(id: number): ChatMessage {
    const row = this.db.prepare('SELECT * FROM chat_messages WHERE id = ?').get(id) as MessageRow | undefined;
    if (!row) throw new ApiError('not_found', `no chat message with id ${id}`, 'messageId');
    return toMessage(row);
  }

  addMessage(m: { chatId: number; role: 'user' | 'assistant'; text: string; imageIds?: string[]; modelId?: string; settings?: GenerationSettings; status: MessageStatus }): ChatMessage {
    const now = Date.now();
    const { lastInsertRowid } = this.db.transaction(() => {
      this.db.prepare('UPDATE chats SET updated_at = ?, model_id = coalesce(?, model_id) WHERE id = ?').run(now, m.modelId ?? null, m.chatId);
      return this.db
        .prepare('INSERT INTO chat_messages (chat_id, role, text, image_ids, model_id, settings, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(m.chatId, m.role, m.text, JSON.stringify(m.imageIds ?? []), m.modelId ?? null, m.settings ? JSON.stringify(m.settings) : null, m.status, now);
    })();
    return this.message(Number(lastInsertRowid));
  }

  finishMessage(id: number, result: { text: string; status: MessageStatus; stats?: AnswerStats; error?: string }): ChatMessage {
    this.db.prepare('UPDATE chat_messages SET text = ?, status = ?, stats = ?, error = ? WHERE id = ?').run(result.text, result.status, result.stats ? JSON.stringify(result.stats) : null, result.error ?? null, id);
    return this.message(id);
  }

  setFeedback(id: number, change: { rating?: 'up' | 'down' | null; correctedText?: string | null }): ChatMessage {
    if (change.rating !== undefined) this.db.prepare('UPDATE chat_messages SET feedback = ? WHERE id = ?').run(change.rating, id);
    if (change.correctedText !== undefined) this.db.prepare('UPDATE chat_messages SET corrected_text = ? WHERE id = ?').run(change.correctedText, id);
    return this.message(id);
  }

  /** Remember the sample an answer became. */
  setSample(id: number, sampleId: number, datasetId: number): ChatMessage {
    this.db.prepare('UPDATE chat_messages SET sample_id = ?, sample_dataset_id = ? WHERE id = ?').run(sampleId, datasetId, id);
    return this.message(id);
  }

  deleteMessage(id: number): void {
    this.db.prepare('DELETE FROM chat_messages WHERE id = ?').run(id);
  }

  deleteChat(id: number): void {
    this.chat(id);
    this.db.prepare('DELETE FROM chats WHERE id = ?').run(id);
  }

  /** Answers still "streaming" from a studio that stopped were cut off. */
  markInterrupted(): void {
    this.db.prepare("UPDATE chat_messages SET status = 'stopped', error = 'the studio stopped during this answer' WHERE status = 'streaming'").run();
  }
}
