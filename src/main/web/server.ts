// The web door: the same core behind a local HTTP server. JSON calls at POST /api/call,
// server-sent events at /api/events, images by opaque id at /media/{image|thumb}/{id}, files
// prepared for download at /api/download/{id}, and the renderer's build for everything else. Every
// request needs a credential (see token.ts): the token for the API, events and downloads, the media
// key for images, the page cookie for the renderer's files; without one the answer is 401 and
// nothing else is served. The door never redirects.
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, asApiError, failedAnswer, type DoorAnswer } from '../../shared/errors';
import { MEDIA_ID_PATTERN, MEDIA_KINDS, type MediaKind } from '../../shared/client';
import { contentSecurityPolicy } from '../../shared/security';
import type { StudioCore } from '../core/studio-core';
import { allowedHostNames, hostName } from './host-check';
import { openStatic, resolveStaticFile } from './static-files';
import { derivedKey, pageCookie, requestAccess, type Access } from './token';

export interface WebDoorOptions {
  core: StudioCore;
  token: string;
  rendererDir: string;
  host?: string;
  port?: number;
  /** Host names accepted besides this machine's own (a wide bind only) */
  allowedHosts?: string[];
}

export interface WebDoor {
  server: Server;
  /** http://host:port/ */
  origin: string;
  /** the address to open, token included */
  url: string;
  close(): Promise<void>;
}

// room for one base64 image upload (images.add) and its envelope
export const MAX_BODY_BYTES = 66 * 1024 * 1024;
// a body over the limit is read and thrown away (up to this much) so the client sees the 413
const MAX_DISCARD_BYTES = 1024 * 1024 * 1024;
const SSE_KEEPALIVE_MS = 15_000;

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': contentSecurityPolicy(''),
};

export async function startWebDoor(options: WebDoorOptions): Promise<WebDoor> {
  const host = options.host ?? '127.0.0.1';
  const hosts = allowedHostNames(host, options.allowedHosts);
  const server = createServer((req, res) => {
    handle(options, hosts, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, failedAnswer(err));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${shownHost}:${port}`;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    server,
    origin,
    url: `${origin}/?token=${options.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function handle(options: WebDoorOptions, hosts: Set<string>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  const url = new URL(req.url ?? '/', 'http://studio.invalid');
  if (!hosts.has(hostName(req.headers.host))) return sendText(res, 403, 'Forbidden: unexpected Host header');
  const access = requestAccess(req, url, options.token);
  if (access === 'none') return unauthorized(res);
  if (url.pathname === '/api/call') return access === 'full' ? handleCall(options, req, res) : unauthorized(res);
  if (url.pathname === '/api/session') return access === 'full' ? handleSession(options, req, res) : unauthorized(res);
  if (url.pathname === '/api/events') return access === 'full' ? handleEvents(options, req, res) : unauthorized(res);
  if (url.pathname.startsWith('/api/download/')) return access === 'full' ? handleDownload(options, url, req, res) : unauthorized(res);
  if (url.pathname.startsWith('/media/')) return access === 'page' ? unauthorized(res) : await handleMedia(options, url, req, res);
  if (access === 'media') return unauthorized(res);
  return handleStatic(options, access, url, req, res);
}

function unauthorized(res: ServerResponse): void {
  sendText(res, 401, 'Unauthorized: open the address that the studio printed at start (it carries the access token).');
}

/** The renderer's files. Opening the printed address (token in the query) sets the page cookie. */
function handleStatic(options: WebDoorOptions, access: Access, url: URL, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
  const file = resolveStaticFile(options.rendererDir, url.pathname);
  if (!file) return sendText(res, 404, `Not found: ${url.pathname}`);
  if (access === 'full' && url.searchParams.has('token')) res.setHeader('Set-Cookie', pageCookie(req, options.token));
  res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': file.size, 'Cache-Control': 'no-cache' });
  if (req.method === 'HEAD') return void res.end();
  openStatic(file).pipe(res);
}

/** What the page needs besides its token: the key its media addresses carry. */
function handleSession(options: WebDoorOptions, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed');
  sendJson(res, 200, { ok: true, result: { mediaKey: derivedKey(options.token, 'media') } });
}

async function handleCall(options: WebDoorOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, 'Method not allowed: use POST');
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return sendJson(res, 415, failedAnswer(new ApiError('invalid_input', 'request body must be application/json', 'content-type')));
  }
  let body: { method?: unknown; input?: unknown };
  try {
    body = JSON.parse(await readBody(req)) as typeof body;
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      return sendJson(res, 413, failedAnswer(new ApiError('invalid_input', err.message, 'body')));
    }
    return sendJson(res, 400, failedAnswer(new ApiError('invalid_input', `request body: ${(err as Error).message}`, 'body')));
  }
  if (typeof body !== 'object' || body === null || typeof body.method !== 'string') {
    return sendJson(res, 400, failedAnswer(new ApiError('invalid_input', 'request body: field "method" must be a string', 'method')));
  }
  try {
    const result = await options.core.call(body.method, body.input);
    sendJson(res, 200, { ok: true, result });
  } catch (err) {
    const failure = asApiError(err);
    sendJson(res, failure.status, failedAnswer(failure));
  }
}

function handleEvents(options: WebDoorOptions, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed');
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  res.write(': connected\n\n');
  const stop = options.core.events.onAny((topic, payload) => {
    res.write(`event: ${topic}\ndata: ${JSON.stringify(payload)}\n\n`);
  });
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
  req.on('close', () => {
    clearInterval(keepAlive);
    stop();
  });
}

async function handleMedia(options: WebDoorOptions, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
  const [, , kind, id, ...rest] = url.pathname.split('/');
  if (rest.length || !MEDIA_KINDS.includes(kind as MediaKind) || !MEDIA_ID_PATTERN.test(id ?? '')) {
    return sendText(res, 400, 'Bad media address: expected /media/{image|thumb}/{64 hex digits}');
  }
  const media = await options.core.media(kind as MediaKind, id!);
  if (!media || !existsSync(media.path)) return sendText(res, 404, `No ${kind} with id ${id}`);
  res.writeHead(200, { 'Content-Type': media.contentType, 'Cache-Control': 'private, max-age=31536000, immutable' });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(media.path).pipe(res);
}

/** A file the core prepared for download (a zipped export), by the id its job returned. */
function handleDownload(options: WebDoorOptions, url: URL, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed');
  const file = options.core.download(url.pathname.slice('/api/download/'.length));
  if (!file || !existsSync(file.path)) return sendText(res, 404, 'No such download (they last an hour, and not past a restart)');
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Length': file.bytes,
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    'Cache-Control': 'no-store',
  });
  createReadStream(file.path).pipe(res);
}

class BodyTooLargeError extends Error {
  constructor() {
    super(`request body: larger than the limit of ${MAX_BODY_BYTES} bytes`);
  }
}

/**
 * The body as text. One over the limit is refused with BodyTooLargeError as soon as that is
 * known (from Content-Length, or when the count passes it); the rest is read and dropped so that
 * the client, still sending, receives the 413 instead of a reset connection.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    const refuse = () => {
      reject(new BodyTooLargeError());
      req.removeAllListeners('data');
      let dropped = 0;
      req.on('data', (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > MAX_DISCARD_BYTES) req.destroy();
      });
    };
    if (declared > MAX_BODY_BYTES) return refuse();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return refuse();
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: DoorAnswer): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
