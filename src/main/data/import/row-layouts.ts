// The row layouts the importers understand, as one function from a parsed JSON object to
// images + texts:
//   - the Hub's VQA layout: {"images": [path | data URL], "texts": [{"user", "assistant"}]}
//   - LLaMA-Factory / ShareGPT: {"messages": [{"role", "content"}], "images": [...]} with one
//     <image> marker per image (or "conversations" with {"from", "value"})
//   - flat: {"image", "question", "answer"}
// plus optional "split", "status" and "tags", which the studio's own exports write.
import { z } from 'zod';
import { splitSchema, statusSchema } from '../../../shared/datasets';

export interface ParsedRow {
  images: string[];
  texts: { user: string; assistant: string }[];
  split?: z.infer<typeof splitSchema>;
  status?: z.infer<typeof statusSchema>;
  tags?: string[];
}

const extras = {
  split: splitSchema.optional().catch(undefined),
  status: statusSchema.optional().catch(undefined),
  tags: z.array(z.string()).optional().catch(undefined),
};
const imageList = z.union([z.array(z.string()), z.string().transform((s) => [s])]);
const vqaRow = z.object({
  images: imageList.optional(),
  image: z.string().optional(),
  texts: z.array(
    z.object({
      user: z.string(),
      assistant: z
        .string()
        .nullish()
        .transform((a) => a ?? ''),
    }),
  ),
  ...extras,
});
const message = z.object({ role: z.string(), content: z.string() });
const shareGptMessage = z.object({ from: z.string(), value: z.string() }).transform((m) => ({ role: m.from, content: m.value }));
const chatRow = z.object({
  messages: z.array(message).optional(),
  conversations: z.array(shareGptMessage).optional(),
  images: imageList.optional(),
  image: z.string().optional(),
  ...extras,
});
const flatRow = z.object({
  image: z.string(),
  question: z.string(),
  answer: z
    .string()
    .nullish()
    .transform((a) => a ?? ''),
  ...extras,
});

const IMAGE_MARKER = /<image>/g;
const USER_ROLES = new Set(['user', 'human']);
const ASSISTANT_ROLES = new Set(['assistant', 'gpt', 'model']);

function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function imagesOf(row: { images?: string[]; image?: string }): string[] {
  return row.images ?? (row.image ? [row.image] : []);
}

/** Pairs chat messages into turns; a user message left unanswered becomes a turn to answer. */
function chatTurns(messages: { role: string; content: string }[]): ParsedRow['texts'] {
  const texts: ParsedRow['texts'] = [];
  let awaitingAnswer = false;
  messages.forEach((m, i) => {
    const role = m.role.toLowerCase();
    const content = m.content.replace(IMAGE_MARKER, '').trim();
    if (role === 'system') return;
    if (USER_ROLES.has(role)) {
      if (awaitingAnswer) throw new Error(`messages[${i}]: two user messages in a row`);
      texts.push({ user: content, assistant: '' });
      awaitingAnswer = true;
    } else if (ASSISTANT_ROLES.has(role)) {
      if (!awaitingAnswer) throw new Error(`messages[${i}]: an assistant message without a user message before it`);
      texts[texts.length - 1]!.assistant = content;
      awaitingAnswer = false;
    } else {
      throw new Error(`messages[${i}]: unknown role "${m.role}"`);
    }
  });
  return texts;
}

function parseChat(row: z.infer<typeof chatRow>): ParsedRow {
  const messages = row.messages ?? row.conversations ?? [];
  const images = imagesOf(row);
  const markers = messages.reduce((n, m) => n + (m.content.match(IMAGE_MARKER)?.length ?? 0), 0);
  if (markers > 0 && markers !== images.length) throw new Error(`${markers} <image> marker(s) for ${images.length} image(s)`);
  return { images, texts: chatTurns(messages), split: row.split, status: row.status, tags: row.tags };
}

/** Reads one row in any known layout; throws an Error whose message is the reason to skip it. */
export function parseRow(value: unknown): ParsedRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  const keys = value as Record<string, unknown>;
  if ('messages' in keys || 'conversations' in keys) {
    const parsed = chatRow.safeParse(value);
    if (!parsed.success) throw new Error(describe(parsed.error));
    return parseChat(parsed.data);
  }
  if ('texts' in keys) {
    const parsed = vqaRow.safeParse(value);
    if (!parsed.success) throw new Error(describe(parsed.error));
    const { texts, split, status, tags } = parsed.data;
    return { images: imagesOf(parsed.data), texts, split, status, tags };
  }
  if ('question' in keys) {
    const parsed = flatRow.safeParse(value);
    if (!parsed.success) throw new Error(describe(parsed.error));
    const { image, question, answer, split, status, tags } = parsed.data;
    return { images: [image], texts: [{ user: question, assistant: answer }], split, status, tags };
  }
  throw new Error('unrecognised layout: expected "images" + "texts", "messages" + "images", or "image" + "question" + "answer"');
}
