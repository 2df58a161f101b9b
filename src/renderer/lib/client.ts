// The client the whole renderer uses: over the Electron preload's bridge (window.studio) when
// present, else the web door's HTTP client. Nothing else in the renderer knows which door it has.
import type { StudioClient } from '../../shared/client';
import { desktopClient, type DesktopBridge } from '../../shared/desktop-door';
import { WebStudioClient } from './web-client';

declare global {
  interface Window {
    studio?: DesktopBridge;
  }
}

const web = window.studio ? undefined : new WebStudioClient();

export const client: StudioClient = window.studio ? desktopClient(window.studio) : web!;

/** Resolves when the client can build media addresses (the web door fetches its media key). */
export const clientReady: Promise<void> = web ? web.ready() : Promise.resolve();
