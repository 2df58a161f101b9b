// Errors and messages the person must see: every failed call and every uncaught error lands here.
// A notice stays while it is pointed at or focused, and otherwise leaves after a while (errors
// last longest); the same message twice counts up instead of piling up, and only the newest few
// are shown at once. Nothing is swallowed: every notice stays in the history the status bar opens.
export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
  /** how many times the same message came while it was shown */
  count: number;
  at: number;
}

/** how long a notice stays on screen, by level */
export const NOTICE_MS: Record<Notice['level'], number> = { info: 5000, warning: 9000, error: 14000 };
const VISIBLE = 3;
const KEEP_HISTORY = 50;

let nextId = 1;
/** on screen now, oldest first */
export const notices = $state<Notice[]>([]);
/** every notice of this session, newest first */
export const noticeHistory = $state<{ items: Notice[]; unseenErrors: number }>({ items: [], unseenErrors: 0 });
const timers = new Map<number, ReturnType<typeof setTimeout>>();
const held = new Set<number>();

export function notify(level: Notice['level'], message: string): void {
  const same = notices.find((n) => n.level === level && n.message === message);
  if (same) {
    same.count++;
    same.at = Date.now();
    schedule(same);
    return;
  }
  const notice: Notice = { id: nextId++, level, message, count: 1, at: Date.now() };
  notices.push(notice);
  noticeHistory.items.unshift({ ...notice });
  noticeHistory.items.splice(KEEP_HISTORY);
  if (level === 'error') noticeHistory.unseenErrors++;
  while (notices.length > VISIBLE) dismiss(notices[0]!.id);
  schedule(notices.at(-1)!);
}

export function reportError(err: unknown, context?: string): void {
  const message = err instanceof Error ? err.message : String(err);
  notify('error', context ? `${context}: ${message}` : message);
}

export function dismiss(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  held.delete(id);
  const index = notices.findIndex((n) => n.id === id);
  if (index >= 0) notices.splice(index, 1);
}

/** While the person points at or focuses a notice it stays; when they leave, its time starts again. */
export function hold(id: number, holding: boolean): void {
  if (holding) {
    held.add(id);
    clearTimeout(timers.get(id));
  } else {
    held.delete(id);
    const notice = notices.find((n) => n.id === id);
    if (notice) schedule(notice);
  }
}

export function markHistorySeen(): void {
  noticeHistory.unseenErrors = 0;
}

function schedule(notice: Notice): void {
  clearTimeout(timers.get(notice.id));
  if (held.has(notice.id)) return;
  timers.set(
    notice.id,
    setTimeout(() => dismiss(notice.id), NOTICE_MS[notice.level]),
  );
}

export function installGlobalErrorHandlers(): void {
  window.addEventListener('error', (e) => reportError(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => reportError(e.reason));
}
