// Every keyboard shortcut of the Datasets screen in one table: the key handler matches against it
// and the shortcut sheet (?) is drawn from it, so the sheet cannot drift from what the keys do.
import { SPLIT_CODES, STATUS_KEYS } from './labels';
import type { SampleSplit, SampleStatus } from '../../../shared/datasets';

export type ShortcutAction =
  | { kind: 'move'; by: 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'; extend: boolean }
  | { kind: 'next' }
  | { kind: 'previous' }
  | { kind: 'open' }
  | { kind: 'close' }
  | { kind: 'save' }
  | { kind: 'accept' }
  | { kind: 'status'; status: SampleStatus }
  | { kind: 'split'; split: SampleSplit }
  | { kind: 'tag' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'toggleSelect' }
  | { kind: 'selectAll' }
  | { kind: 'delete' }
  | { kind: 'search' }
  | { kind: 'help' }
  | { kind: 'zoom'; how: 'in' | 'out' | 'fit' }
  | { kind: 'addTurn' }
  | { kind: 'import' };

export type Mode = 'grid' | 'editor';

interface Shortcut {
  keys: string[];
  label: string;
  group: 'Move' | 'Annotate' | 'Select' | 'Edit' | 'Screen';
  modes: Mode[];
  /** also while typing in a text field */
  inFields?: boolean;
  match(e: KeyboardEvent): ShortcutAction | null;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey;
const ARROWS: Record<string, 'left' | 'right' | 'up' | 'down'> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
const JUMPS: Record<string, 'pageUp' | 'pageDown' | 'home' | 'end'> = { PageUp: 'pageUp', PageDown: 'pageDown', Home: 'home', End: 'end' };

export const SHORTCUTS: Shortcut[] = [
  {
    keys: ['←', '→', '↑', '↓'],
    label: 'Move between samples (Shift extends the selection)',
    group: 'Move',
    modes: ['grid'],
    match: (e) => (ARROWS[e.key] && !mod(e) && !e.altKey ? { kind: 'move', by: ARROWS[e.key]!, extend: e.shiftKey } : null),
  },
  {
    keys: ['PgUp', 'PgDn', 'Home', 'End'],
    label: 'Jump a screen, or to the first or last sample',
    group: 'Move',
    modes: ['grid'],
    match: (e) => (JUMPS[e.key] && plain(e) ? { kind: 'move', by: JUMPS[e.key]!, extend: e.shiftKey } : null),
  },
  {
    keys: ['J', 'Alt+↓'],
    label: 'Next sample (saves first)',
    group: 'Move',
    modes: ['editor'],
    inFields: true,
    match: (e) => ((e.key === 'j' && plain(e) && !isField(e)) || (e.key === 'ArrowDown' && e.altKey && !mod(e)) ? { kind: 'next' } : null),
  },
  {
    keys: ['K', 'Alt+↑'],
    label: 'Previous sample',
    group: 'Move',
    modes: ['editor'],
    inFields: true,
    match: (e) => ((e.key === 'k' && plain(e) && !isField(e)) || (e.key === 'ArrowUp' && e.altKey && !mod(e)) ? { kind: 'previous' } : null),
  },
  {
    keys: ['Enter', 'E'],
    label: 'Open the sample; in the editor, edit its first unanswered turn',
    group: 'Move',
    modes: ['grid', 'editor'],
    match: (e) => ((e.key === 'Enter' || e.key === 'e') && plain(e) && !e.shiftKey ? { kind: 'open' } : null),
  },
  {
    keys: ['Esc'],
    label: 'Leave the text field, close the editor, or clear the selection',
    group: 'Move',
    modes: ['grid', 'editor'],
    inFields: true,
    match: (e) => (e.key === 'Escape' ? { kind: 'close' } : null),
  },

  {
    keys: ['A', 'Ctrl+Enter'],
    label: 'Accept: mark done and go to the next sample',
    group: 'Annotate',
    modes: ['grid', 'editor'],
    inFields: true,
    match: (e) => ((e.key === 'a' && plain(e) && !isField(e)) || (e.key === 'Enter' && mod(e) && !e.shiftKey) ? { kind: 'accept' } : null),
  },
  {
    keys: ['1', '2', '3', '4', '5'],
    label: 'Status: to do, draft, review, done, rejected',
    group: 'Annotate',
    modes: ['grid', 'editor'],
    match: (e) => (STATUS_KEYS[e.key] && plain(e) ? { kind: 'status', status: STATUS_KEYS[e.key]! } : null),
  },
  {
    keys: ['⇧1', '⇧2', '⇧3'],
    label: 'Split: train, val, test',
    group: 'Annotate',
    modes: ['grid', 'editor'],
    match: (e) => (SPLIT_CODES[e.code] && e.shiftKey && !mod(e) && !e.altKey ? { kind: 'split', split: SPLIT_CODES[e.code]! } : null),
  },
  {
    keys: ['T'],
    label: 'Add or remove tags',
    group: 'Annotate',
    modes: ['grid', 'editor'],
    match: (e) => (e.key === 't' && plain(e) ? { kind: 'tag' } : null),
  },
  { keys: ['N'], label: 'Add a turn', group: 'Edit', modes: ['editor'], match: (e) => (e.key === 'n' && plain(e) ? { kind: 'addTurn' } : null) },
  {
    keys: ['Ctrl+S'],
    label: 'Save now (edits also save on their own)',
    group: 'Edit',
    modes: ['editor'],
    inFields: true,
    match: (e) => (e.key.toLowerCase() === 's' && mod(e) && !e.shiftKey ? { kind: 'save' } : null),
  },
  {
    keys: ['+', '−', '0'],
    label: 'Zoom the image in, out, or to fit (or scroll and drag)',
    group: 'Edit',
    modes: ['editor'],
    match: (e) => {
      if (!plain(e)) return null;
      if (e.key === '+' || e.key === '=') return { kind: 'zoom', how: 'in' };
      if (e.key === '-') return { kind: 'zoom', how: 'out' };
      return e.key === '0' ? { kind: 'zoom', how: 'fit' } : null;
    },
  },
  {
    keys: ['Ctrl+Z'],
    label: 'Undo',
    group: 'Edit',
    modes: ['grid', 'editor'],
    match: (e) => (e.key.toLowerCase() === 'z' && mod(e) && !e.shiftKey ? { kind: 'undo' } : null),
  },
  {
    keys: ['Ctrl+Shift+Z', 'Ctrl+Y'],
    label: 'Redo',
    group: 'Edit',
    modes: ['grid', 'editor'],
    match: (e) => ((e.key.toLowerCase() === 'z' && mod(e) && e.shiftKey) || (e.key.toLowerCase() === 'y' && mod(e)) ? { kind: 'redo' } : null),
  },
  {
    keys: ['Del'],
    label: 'Delete (undo brings it back)',
    group: 'Edit',
    modes: ['grid', 'editor'],
    match: (e) => (e.key === 'Delete' && plain(e) ? { kind: 'delete' } : null),
  },

  {
    keys: ['Space'],
    label: 'Select or unselect the sample',
    group: 'Select',
    modes: ['grid'],
    match: (e) => (e.key === ' ' && plain(e) && !e.shiftKey ? { kind: 'toggleSelect' } : null),
  },
  {
    keys: ['Ctrl+A'],
    label: 'Select every sample that matches the filters',
    group: 'Select',
    modes: ['grid'],
    match: (e) => (e.key.toLowerCase() === 'a' && mod(e) ? { kind: 'selectAll' } : null),
  },

  {
    keys: ['/'],
    label: 'Search questions and answers',
    group: 'Screen',
    modes: ['grid', 'editor'],
    match: (e) => (e.key === '/' && !mod(e) ? { kind: 'search' } : null),
  },
  { keys: ['I'], label: 'Import', group: 'Screen', modes: ['grid'], match: (e) => (e.key === 'i' && plain(e) ? { kind: 'import' } : null) },
  {
    keys: ['?'],
    label: 'Show these shortcuts',
    group: 'Screen',
    modes: ['grid', 'editor'],
    match: (e) => (e.key === '?' && !mod(e) ? { kind: 'help' } : null),
  },
];

export function isField(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return (
    t.isContentEditable ||
    t.tagName === 'TEXTAREA' ||
    t.tagName === 'SELECT' ||
    (t.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes((t as HTMLInputElement).type))
  );
}

/** The action a key press asks for in a mode, or null; keys typed into text fields stay there. */
export function shortcutFor(e: KeyboardEvent, mode: Mode): ShortcutAction | null {
  const typing = isField(e);
  const tag = (e.target as HTMLElement | null)?.tagName;
  // Enter and Space on a focused button or link press it
  if ((tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') && (e.key === 'Enter' || e.key === ' ')) return null;
  for (const s of SHORTCUTS) {
    if (!s.modes.includes(mode) || (typing && !s.inFields)) continue;
    const action = s.match(e);
    if (action) return action;
  }
  return null;
}
