// Serves the renderer's build folder; nothing outside it is reachable.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export interface StaticFile {
  path: string;
  contentType: string;
  size: number;
}

/** The file for a URL path, or undefined; "/" and unknown routes without an extension give index.html. */
export function resolveStaticFile(root: string, urlPath: string): StaticFile | undefined {
  const base = resolve(root);
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  } catch {
    return undefined;
  }
  if (relative === '' || !extname(relative)) relative = 'index.html';
  const full = resolve(join(base, relative));
  if (full !== base && !full.startsWith(base + sep)) return undefined;
  if (!existsSync(full)) return undefined;
  const stat = statSync(full);
  if (!stat.isFile()) return undefined;
  return { path: full, contentType: CONTENT_TYPES[extname(full)] ?? 'application/octet-stream', size: stat.size };
}

export const openStatic = (file: StaticFile) => createReadStream(file.path);
