// Chats and their messages in SQLite. An answer regenerated is kept as a hidden variant of the
// same question (variant_of names the group's first answer); the conversation is the messages
// shown. Two chats asked the same questions side by side are linked as a pair (deleting one side
// leaves the other as a chat of its own).
import { ApiError } from '../../shared/api';
import type { AnswerStats, ChatDetail, ChatMessage, ChatSummary, GenerationSettings, MessageStatus } from '../../shared/chat';
import type { StudioDatabase } from '../data/database';

interface ChatRow {
  id: number;
  title: string;
  model_id: string;
  system_prompt: string;
  paired_chat_id: number | null;
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
  variant_of: number | null;
  hidden: 0 | 1;
  created_at: number;
}

const toSummary = (r: ChatRow): ChatSummary => ({
  id: r.id,
  title: r.title,
  modelId: r.model_id,
  systemPrompt: r.system_prompt,
  ...(r.paired_chat_id !== null ? { pairedChatId: r.paired_chat_id } : {}),
  messageCount: r.message_count,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

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

/** message_count: the messages of the conversation (hidden variants not counted) */
const SUMMARY_SQL = `SELECT c.*, (SELECT count(*) FROM chat_messages m WHERE m.chat_id = c.id AND m.hidden = 0) AS message_count FROM chats c`;
const LIKE_ESCAPE = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class ChatStore {
  constructor(private readonly db: StudioDatabase) {}

  createChat(title: string, modelId: string, options: { systemPrompt?: string; pairWith?: number } = {}): ChatSummary {
    const now = Date.now();
    return this.db.transaction(() => {
      if (options.pairWith !== undefined) this.chat(options.pairWith);
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO chats (title, model_id, system_prompt, paired_chat_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(title, modelId, options.systemPrompt ?? '', options.pairWith ?? null, now, now);
      const id = Number(lastInsertRowid);
      if (options.pairWith !== undefined) this.db.prepare('UPDATE chats SET paired_chat_id = ? WHERE id = ?').run(id, options.pairWith);
      return this.chat(id);
    })();
  }

  chat(id: number): ChatSummary {
    const row = this.db.prepare(`${SUMMARY_SQL} WHERE c.id = ?`).get(id) as ChatRow | undefined;
    if (!row) throw new ApiError('not_found', `no chat with id ${id}`, 'chatId');
    return toSummary(row);
  }

  /** Newest first; with a query, the chats whose title or any message contains it (case-insensitive). */
  list(query?: string): ChatSummary[] {
    if (!query) return (this.db.prepare(`${SUMMARY_SQL} ORDER BY c.updated_at DESC`).all() as ChatRow[]).map(toSummary);
    const like = LIKE_ESCAPE(query);
    const rows = this.db
      .prepare(
        `${SUMMARY_SQL} WHERE c.title LIKE ? ESCAPE '\\' OR c.id IN (SELECT chat_id FROM chat_messages WHERE hidden = 0 AND (text LIKE ? ESCAPE '\\' OR corrected_text LIKE ? ESCAPE '\\'))
         ORDER BY c.updated_at DESC`,
      )
      .all(like, like, like) as ChatRow[];
    return rows.map(toSummary);
  }

  update(id: number, change: { title?: string; systemPrompt?: string }): ChatSummary {
    this.chat(id);
    if (change.title !== undefined) this.db.prepare('UPDATE chats SET title = ? WHERE id = ?').run(change.title, id);
    if (change.systemPrompt !== undefined) this.db.prepare('UPDATE chats SET system_prompt = ? WHERE id = ?').run(change.systemPrompt, id);
    return this.chat(id);
  }

  detail(id: number): ChatDetail {
    return { ...this.chat(id), messages: this.messages(id) };
  }

  /** The conversation: every message shown, answers with their variants counted. */
  messages(chatId: number): ChatMessage[] {
    const rows = this.db.prepare('SELECT * FROM chat_messages WHERE chat_id = ? ORDER BY id').all(chatId) as MessageRow[];
    const groups = new Map<number, number[]>();
    for (const r of rows) if (r.role === 'assistant') groups.set(r.variant_of ?? r.id, [...(groups.get(r.variant_of ?? r.id) ?? []), r.id]);
    return rows.filter((r) => !r.hidden).map((r) => withVariant(toMessage(r), groups.get(r.variant_of ?? r.id)));
  }

  message(id: number): ChatMessage {
    const row = this.db.prepare('SELECT * FROM chat_messages WHERE id = ?').get(id) as MessageRow | undefined;
    if (!row) throw new ApiError('not_found', `no chat message with id ${id}`, 'messageId');
    if (row.role !== 'assistant') return toMessage(row);
    const group = this.db
      .prepare('SELECT id FROM chat_messages WHERE id = ? OR variant_of = ? ORDER BY id')
      .pluck()
      .all(row.variant_of ?? row.id, row.variant_of ?? row.id) as number[];
    return withVariant(toMessage(row), group);
  }

  addMessage(m: {
    chatId: number;
    role: 'user' | 'assistant';
    text: string;
    imageIds?: string[];
    modelId?: string;
    settings?: GenerationSettings;
    status: MessageStatus;
    /** an answer to the same question as this one, which it replaces on screen */
    variantOf?: number;
  }): ChatMessage {
    const now = Date.now();
    const { lastInsertRowid } = this.db.transaction(() => {
      this.db.prepare('UPDATE chats SET updated_at = ?, model_id = coalesce(?, model_id) WHERE id = ?').run(now, m.modelId ?? null, m.chatId);
      let group: number | null = null;
      if (m.variantOf !== undefined) {
        const old = this.db.prepare('SELECT id, variant_of FROM chat_messages WHERE id = ?').get(m.variantOf) as { id: number; variant_of: number | null };
        group = old.variant_of ?? old.id;
        this.db.prepare('UPDATE chat_messages SET hidden = 1 WHERE id = ? OR variant_of = ?').run(group, group);
      }
      return this.db
        .prepare(
          'INSERT INTO chat_messages (chat_id, role, text, image_ids, model_id, settings, status, variant_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          m.chatId,
          m.role,
          m.text,
          JSON.stringify(m.imageIds ?? []),
          m.modelId ?? null,
          m.settings ? JSON.stringify(m.settings) : null,
          m.status,
          group,
          now,
        );
    })();
    return this.message(Number(lastInsertRowid));
  }

  /** Show another answer of the same question in its place. */
  showVariant(id: number): ChatMessage {
    const row = this.db.prepare('SELECT id, variant_of FROM chat_messages WHERE id = ?').get(id) as { id: number; variant_of: number | null } | undefined;
    if (!row) throw new ApiError('not_found', `no chat message with id ${id}`, 'messageId');
    const group = row.variant_of ?? row.id;
    this.db.transaction(() => {
      this.db.prepare('UPDATE chat_messages SET hidden = 1 WHERE id = ? OR variant_of = ?').run(group, group);
      this.db.prepare('UPDATE chat_messages SET hidden = 0 WHERE id = ?').run(id);
    })();
    return this.message(id);
  }

  finishMessage(id: number, result: { text: string; status: MessageStatus; stats?: AnswerStats; error?: string }): ChatMessage {
    this.db
      .prepare('UPDATE chat_messages SET text = ?, status = ?, stats = ?, error = ? WHERE id = ?')
      .run(result.text, result.status, result.stats ? JSON.stringify(result.stats) : null, result.error ?? null, id);
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

  /** Deletes a chat; the other side of a side-by-side comparison stays, as a chat of its own. */
  deleteChat(id: number): void {
    this.chat(id);
    this.db.prepare('DELETE FROM chats WHERE id = ?').run(id);
  }

  /** Answers still "streaming" from a studio that stopped were cut off. */
  markInterrupted(): void {
    this.db.prepare("UPDATE chat_messages SET status = 'stopped', error = 'the studio stopped during this answer' WHERE status = 'streaming'").run();
  }
}

function withVariant(message: ChatMessage, group: number[] | undefined): ChatMessage {
  if (!group || group.length < 2) return message;
  return { ...message, variant: { index: group.indexOf(message.id) + 1, count: group.length, ids: group } };
}
