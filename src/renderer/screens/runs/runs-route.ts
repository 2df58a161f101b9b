// The Runs screen's pages, addressed by the hash: #/runs, #/runs/new, #/runs/<id>,
// #/runs/compare/<id>,<id>…
import { goTo } from '../../lib/hash-path.svelte';

export type RunsPage = { kind: 'overview' } | { kind: 'new' } | { kind: 'run'; id: string } | { kind: 'compare'; ids: string[] };

export function runsPage(parts: string[]): RunsPage {
  if (parts[0] === 'new') return { kind: 'new' };
  if (parts[0] === 'compare') return { kind: 'compare', ids: (parts[1] ?? '').split(',').filter(Boolean) };
  if (parts[0]) return { kind: 'run', id: parts[0] };
  return { kind: 'overview' };
}

export const openRun = (id: string): void => goTo('runs', id);
export const openNewRun = (): void => goTo('runs', 'new');
export const openCompare = (ids: string[]): void => goTo('runs', 'compare', ids.join(','));
