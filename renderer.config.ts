// The renderer's Vite options, shared by the Electron build (electron.vite.config.ts) and the web
// door's build (vite.renderer.config.ts), so both doors serve the same app.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';
import type { Plugin, UserConfig } from 'vite';
import { contentSecurityPolicy, ELECTRON_MEDIA_SCHEME } from './src/shared/security.ts';

/** Writes the CSP into index.html from the one definition in src/shared/security.ts. */
function cspMetaTag(): Plugin {
  return {
    name: 'studio-csp-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(`${ELECTRON_MEDIA_SCHEME}:`, 'meta') },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export const rendererConfig: UserConfig = {
  root: resolve(import.meta.dirname, 'src/renderer'),
  base: './',
  plugins: [svelte({ configFile: resolve(import.meta.dirname, 'svelte.config.js') }), cspMetaTag()],
  build: {
    outDir: resolve(import.meta.dirname, 'out/renderer'),
    emptyOutDir: true,
    // no inline scripts or data: modules: the CSP forbids them
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
  },
};
