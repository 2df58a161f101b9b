// The web door's credentials. Browsers send a host's cookies to every port of it (and scheme-less
// SameSite ignores ports), so no cookie ever carries the token: any other service on 127.0.0.1
// that the browser visits would receive it. The token travels only where no one else sees it: an
// Authorization header (the page keeps it per tab, in sessionStorage, which is scoped to
// scheme+host+port), or the query of the printed address and of the event stream.
// Two keys derived from the token open less than it does:
//   - the page key, in an HttpOnly cookie named after the port the browser used, opens only the
//     renderer's own files (the same code for every install, no data), so that reloads and
//     the app's scripts load; a second studio on another port has its own cookie name;
//   - the media key, in media addresses (<img src>, "open the photo"), opens only images.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const PAGE_COOKIE_PREFIX = 'studio_page_';
export const MEDIA_KEY_PARAM = 'k';
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** What a request may reach: everything, only images, only the renderer's files, or nothing. */
export type Access = 'full' | 'media' | 'page' | 'none';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A key that proves knowledge of the token for one purpose and cannot be turned back into it. */
export function derivedKey(token: string, purpose: 'page' | 'media'): string {
  return createHmac('sha256', token).update(`nanovlm-studio ${purpose} key`).digest('base64url');
}

/** The port the browser addressed (from Host), which names the page cookie. */
export function hostPort(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  const match = /:(\d{1,5})$/.exec(host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host);
  return match ? match[1]! : '80';
}

export function pageCookieName(req: IncomingMessage): string {
  return `${PAGE_COOKIE_PREFIX}${hostPort(req)}`;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** The most a request's credentials open, wherever it carries them. */
export function requestAccess(req: IncomingMessage, url: URL, token: string): Access {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ') && sameToken(auth.slice(7).trim(), token)) return 'full';
  if (sameToken(url.searchParams.get('token') ?? undefined, token)) return 'full';
  if (sameToken(url.searchParams.get(MEDIA_KEY_PARAM) ?? undefined, derivedKey(token, 'media'))) return 'media';
  if (sameToken(cookieValue(req, pageCookieName(req)), derivedKey(token, 'page'))) return 'page';
  return 'none';
}

export function pageCookie(req: IncomingMessage, token: string): string {
  return `${pageCookieName(req)}=${derivedKey(token, 'page')}; HttpOnly; SameSite=Strict; Path=/`;
}
