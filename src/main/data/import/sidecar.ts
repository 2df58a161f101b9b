// Sidecar files of a folder import: photo.jpg may come with photo.json (any row layout, or a
// list of {user, assistant}) or photo.txt (a caption, or "Q: …" / "A: …" lines).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { ImportItem } from './import-entry';
import { parseRow } from './row-layouts';

export const SIDECAR_EXTENSIONS = new Set(['.json', '.txt']);
export const DEFAULT_CAPTION_PROMPT = 'Describe this image.';

type SidecarContent = Pick<ImportItem, 'texts' | 'split' | 'status' | 'tags'>;

function parseJsonSidecar(text: string): SidecarContent {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`malformed JSON (${(err as Error).message})`);
  }
  // The image is the file itself: a sidecar need not name it.
  const withImage = Array.isArray(value) ? { texts: value, images: [] } : { images: [], ...(value as object) };
  const row = parseRow(withImage);
  return { texts: row.texts, split: row.split, status: row.status, tags: row.tags };
}

function parseTextSidecar(text: string, captionPrompt: string): SidecarContent {
  const pairs = [...text.matchAll(/^Q:\s*(.*?)\s*\n\s*A:\s*([\s\S]*?)\s*(?=^Q:|$(?![\s\S]))/gm)];
  if (pairs.length > 0) return { texts: pairs.map((m) => ({ user: m[1]!, assistant: m[2]! })) };
  const caption = text.trim();
  return { texts: caption ? [{ user: captionPrompt, assistant: caption }] : [] };
}

/** Reads a sidecar; throws an Error whose message (prefixed with the sidecar's name by the caller) says why. */
export async function readSidecar(path: string, captionPrompt = DEFAULT_CAPTION_PROMPT): Promise<SidecarContent> {
  const text = await readFile(path, 'utf8');
  return extname(path).toLowerCase() === '.json' ? parseJsonSidecar(text) : parseTextSidecar(text, captionPrompt);
}
