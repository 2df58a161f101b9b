// The web door's access token: random, compared in constant time, carried by a query parameter
// once (then a strict same-site cookie), or an Authorization: Bearer header.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'studio_token';
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/** The token a request presents, wherever it carries it. */
export function presentedToken(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
  const query = url.searchParams.get('token');
  if (query) return { token: query, fromQuery: true };
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), fromQuery: false };
  return { token: cookieValue(req, TOKEN_COOKIE), fromQuery: false };
}

export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
