// The desktop window's security settings, kept apart from the Electron shell (no electron import)
// so that tests can assert them in plain Node.

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

export function mainWindowOptions(preloadPath: string) {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'nanoVLM Studio',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** Only the app's own page may talk to the core: file:// under the renderer folder. */
export function isTrustedRendererUrl(url: string, rendererIndexUrl: string): boolean {
  try {
    const given = new URL(url);
    const expected = new URL(rendererIndexUrl);
    return given.protocol === expected.protocol && given.pathname === expected.pathname;
  } catch {
    return false;
  }
}
