// The Electron shell: the window, the IPC door (ipc-door.ts) and the media protocol. The only
// main-process file that imports electron; everything it hosts is the plain-Node studio core.
import { app, BrowserWindow, ipcMain, net, protocol, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MEDIA_ID_PATTERN, MEDIA_KINDS, type MediaKind } from '../../shared/client';
import { contentSecurityPolicy, ELECTRON_MEDIA_SCHEME } from '../../shared/security';
import { createStudioCore, type StudioCore } from '../core/studio-core';
import { openIpcDoor } from './ipc-door';
import { mainWindowOptions } from './window-options';

const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;

protocol.registerSchemesAsPrivileged([{ scheme: ELECTRON_MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  console.error('nanoVLM Studio is already running; switching to its window.');
  app.exit(0);
}

let core: StudioCore | undefined;
let window: BrowserWindow | undefined;

function hardenSessions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(`${ELECTRON_MEDIA_SCHEME}:`)] } });
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function serveMedia(studio: StudioCore): void {
  protocol.handle(ELECTRON_MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const kind = url.hostname as MediaKind;
    const id = url.pathname.replace(/^\//, '');
    if (!MEDIA_KINDS.includes(kind) || !MEDIA_ID_PATTERN.test(id)) return new Response('bad media address', { status: 400 });
    const media = await studio.media(kind, id);
    if (!media) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(media.path).href);
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  try {
    core = createStudioCore({
      dataDir: app.getPath('userData'),
      door: 'electron',
      appVersion: app.getVersion(),
      // the demo model and data: beside the app when packaged, in the source tree otherwise
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources'),
      hostVersions: { electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '' },
    });
  } catch (err) {
    const { dialog } = await import('electron');
    dialog.showErrorBox('nanoVLM Studio cannot start', (err as Error).message);
    app.exit(1);
    return;
  }
  hardenSessions();
  serveMedia(core);
  openIpcDoor({ ipcMain, core, rendererUrl, target: () => window?.webContents });
  window = new BrowserWindow(mainWindowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  window.once('ready-to-show', () => window?.show());
  await window.loadFile(rendererIndex);
}

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});
app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => core?.close());

void start();
