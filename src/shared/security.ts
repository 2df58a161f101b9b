// The renderer's Content Security Policy, the same behind both doors: scripts only from the app
// itself (no inline script, no eval), no remote content of any kind.
// A <meta> policy cannot carry frame-ancestors (browsers warn and ignore it), so it is left out there.
export function contentSecurityPolicy(mediaOrigin: string, delivery: 'header' | 'meta' = 'header'): string {
  const directives = [
    "default-src 'self'",
    "script-src 'self'",
    // Svelte sets style properties on elements; stylesheets still come from the app only.
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${mediaOrigin}`.trim(),
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
  ];
  return directives.filter((d) => delivery === 'header' || !d.startsWith('frame-ancestors')).join('; ');
}

/** The custom protocol that serves media by id inside Electron. */
export const ELECTRON_MEDIA_SCHEME = 'studio-media';
