// Numbers as people read them: sizes, parameter counts, durations, times, job progress.
import type { JobProgress } from '../../shared/jobs';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** 222 M, 0.9 M, 15.2 K */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)} K`;
  return String(n);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatTime(at: number): string {
  const date = new Date(at);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** A learning rate or loss in few characters: 5e-5, 0.00512, 2.314 */
export function formatNumber(n: number | undefined, digits = 3): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  if (n !== 0 && (Math.abs(n) < 1e-3 || Math.abs(n) >= 1e5)) return n.toExponential(1).replace('.0e', 'e').replace('e-', 'e−');
  return Number(n.toPrecision(digits + 1)).toString();
}

export function progressFraction(p: JobProgress): number | undefined {
  return p.total ? Math.min(1, p.done / p.total) : undefined;
}

export function formatProgress(p: JobProgress): string {
  const show = (n: number) => (p.unit === 'bytes' ? formatBytes(n) : n.toLocaleString());
  if (p.unit === 'steps' && p.total === 100) return `${p.done}%`;
  return p.total ? `${show(p.done)} of ${show(p.total)}` : show(p.done);
}
