// A chat written out for the person to keep or share: JSON with everything the studio knows (the
// settings and speed of each answer, corrections, variants), or Markdown to read, with the photos
// embedded as their thumbnails so the file stands alone.
import { readFile } from 'node:fs/promises';
import type { ChatDetail, ChatExport, ChatMessage } from '../../shared/chat';

export interface ChatExportDeps {
  /** the WebP thumbnail of a stored image */
  thumbnailPath(imageId: string): Promise<string>;
  modelName(modelId: string): string;
}

export async function exportChat(chat: ChatDetail, format: 'json' | 'markdown', deps: ChatExportDeps): Promise<ChatExport> {
  const base = fileBase(chat.title) || `chat-${chat.id}`;
  if (format === 'json') {
    const content = JSON.stringify({ format: 'nanovlm-studio-chat', version: 1, exportedAt: new Date().toISOString(), chat }, null, 2);
    return { fileName: `${base}.json`, mimeType: 'application/json', content: `${content}\n` };
  }
  return { fileName: `${base}.md`, mimeType: 'text/markdown', content: await markdown(chat, deps) };
}

async function markdown(chat: ChatDetail, deps: ChatExportDeps): Promise<string> {
  const lines = [
    `# ${oneLine(chat.title)}`,
    '',
    `*${new Date(chat.createdAt).toISOString().slice(0, 16).replace('T', ' ')} · ${deps.modelName(chat.modelId)}*`,
    '',
  ];
  if (chat.systemPrompt) lines.push('**System prompt**', '', quote(chat.systemPrompt), '');
  for (const m of chat.messages) lines.push(...(m.role === 'user' ? await question(m, deps) : answer(m, deps)), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

async function question(m: ChatMessage, deps: ChatExportDeps): Promise<string[]> {
  const photos: string[] = [];
  for (const [i, id] of m.imageIds.entries()) photos.push(`![Photo ${i + 1}](${await thumbnailDataUrl(id, deps)})`);
  return ['## Question', '', ...(photos.length ? [photos.join(' '), ''] : []), m.text];
}

function answer(m: ChatMessage, deps: ChatExportDeps): string[] {
  const who = m.modelId ? deps.modelName(m.modelId) : 'the model';
  const lines = [`## Answer · ${oneLine(who)}`, '', m.correctedText ?? m.text];
  if (m.correctedText !== undefined) lines.push('', '*Corrected; the model said:*', '', quote(m.text));
  if (m.status === 'failed') lines.push('', `*Failed: ${m.error ?? 'unknown error'}*`);
  if (m.status === 'stopped') lines.push('', '*Stopped before the end.*');
  if (m.feedback) lines.push('', `*Rated ${m.feedback === 'up' ? 'good' : 'bad'}.*`);
  if (m.variant) lines.push('', `*Answer ${m.variant.index} of ${m.variant.count} (regenerated).*`);
  return lines;
}

async function thumbnailDataUrl(id: string, deps: ChatExportDeps): Promise<string> {
  try {
    return `data:image/webp;base64,${(await readFile(await deps.thumbnailPath(id))).toString('base64')}`;
  } catch {
    return `image-${id.slice(0, 12)}-missing`;
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const quote = (text: string) =>
  text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');

/** a file name from the title: letters, digits and dashes only */
function fileBase(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .slice(0, 60)
    .replace(/-+$/, '')
    .toLowerCase();
}
