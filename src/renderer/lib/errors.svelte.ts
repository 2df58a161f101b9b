// Errors the person must see: every failed call and every uncaught error lands here and is shown
// as a notice until dismissed; nothing is swallowed.
export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

let nextId = 1;
export const notices = $state<Notice[]>([]);

export function notify(level: Notice['level'], message: string): void {
  notices.push({ id: nextId++, level, message });
}

export function reportError(err: unknown, context?: string): void {
  const message = err instanceof Error ? err.message : String(err);
  notify('error', context ? `${context}: ${message}` : message);
}

export function dismiss(id: number): void {
  const index = notices.findIndex((n) => n.id === id);
  if (index >= 0) notices.splice(index, 1);
}

export function installGlobalErrorHandlers(): void {
  window.addEventListener('error', (e) => reportError(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => reportError(e.reason));
}
