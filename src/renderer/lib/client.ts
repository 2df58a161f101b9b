// The client the whole renderer uses: the Electron preload's window.studio when present, else the
// web door's HTTP client. Nothing else in the renderer knows which door it has.
import type { StudioClient } from '../../shared/client';
import { WebStudioClient } from './web-client';

declare global {
  interface Window {
    studio?: StudioClient;
  }
}

export const client: StudioClient = window.studio ?? new WebStudioClient();
