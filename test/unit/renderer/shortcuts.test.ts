// The Datasets screen's keyboard shortcuts (src/renderer/screens/datasets/shortcuts.ts), matched on
// plain stand-ins for KeyboardEvent: what each key does in the grid and in the editor, what stays
// in a text field, and that no key press is claimed by two shortcuts (the second would never run).
import { describe, expect, it } from 'vitest';
import { isField, SHORTCUTS, shortcutFor, type Mode } from '../../../src/renderer/screens/datasets/shortcuts';
import { splitKey, statusKey, STATUS_KEYS } from '../../../src/renderer/screens/datasets/labels';

interface Press {
  key: string;
  code?: string;
  shift?: boolean;
  ctrl?: boolean;
  alt?: boolean;
  /** the focused element: a tag name, or an input of this type */
  on?: { tagName: string; type?: string; isContentEditable?: boolean };
}

function event({ key, code = '', shift = false, ctrl = false, alt = false, on = { tagName: 'DIV' } }: Press): KeyboardEvent {
  const target = { isContentEditable: false, type: 'text', ...on };
  return { key, code, shiftKey: shift, ctrlKey: ctrl, metaKey: false, altKey: alt, target } as unknown as KeyboardEvent;
}

const press = (mode: Mode, p: Press) => shortcutFor(event(p), mode);
const TEXT_INPUT = { tagName: 'INPUT', type: 'text' };
const TEXTAREA = { tagName: 'TEXTAREA' };

describe('Datasets shortcuts', () => {
  it('the grid: arrows move (Shift extends), digits set a status, Shift+digit a split', () => {
    expect(press('grid', { key: 'ArrowRight' })).toEqual({ kind: 'move', by: 'right', extend: false });
    expect(press('grid', { key: 'ArrowDown', shift: true })).toEqual({ kind: 'move', by: 'down', extend: true });
    expect(press('grid', { key: 'End' })).toEqual({ kind: 'move', by: 'end', extend: false });
    for (const [key, status] of Object.entries(STATUS_KEYS)) expect(press('grid', { key })).toEqual({ kind: 'status', status });
    expect(press('grid', { key: '@', code: 'Digit2', shift: true })).toEqual({ kind: 'split', split: 'val' });
    expect(press('grid', { key: ' ' })).toEqual({ kind: 'toggleSelect' });
    expect(press('grid', { key: 'a', ctrl: true })).toEqual({ kind: 'selectAll' });
    expect(press('grid', { key: 'a' })).toEqual({ kind: 'accept' });
  });

  it('each mode has its own keys', () => {
    expect(press('grid', { key: 'n' })).toBeNull();
    expect(press('editor', { key: 'n' })).toEqual({ kind: 'addTurn' });
    expect(press('editor', { key: 'ArrowRight' })).toBeNull();
    expect(press('editor', { key: 'j' })).toEqual({ kind: 'next' });
    expect(press('grid', { key: 'j' })).toBeNull();
    expect(press('editor', { key: '=' })).toEqual({ kind: 'zoom', how: 'in' });
    expect(press('grid', { key: 'i' })).toEqual({ kind: 'import' });
    expect(press('editor', { key: 'i' })).toBeNull();
  });

  it('keys typed into a text field stay there, except the few meant for fields', () => {
    for (const on of [TEXT_INPUT, TEXTAREA, { tagName: 'DIV', isContentEditable: true }]) {
      expect(press('editor', { key: 'a', on })).toBeNull();
      expect(press('editor', { key: 'j', on })).toBeNull();
      expect(press('editor', { key: '3', on })).toBeNull();
      expect(press('editor', { key: 'Escape', on })).toEqual({ kind: 'close' });
      expect(press('editor', { key: 'Enter', ctrl: true, on })).toEqual({ kind: 'accept' });
      expect(press('editor', { key: 's', ctrl: true, on })).toEqual({ kind: 'save' });
      expect(press('editor', { key: 'ArrowDown', alt: true, on })).toEqual({ kind: 'next' });
    }
    // a checkbox is not a text field
    expect(isField(event({ key: 'a', on: { tagName: 'INPUT', type: 'checkbox' } }))).toBe(false);
    expect(press('grid', { key: 'a', on: { tagName: 'INPUT', type: 'checkbox' } })).toEqual({ kind: 'accept' });
  });

  it('Enter and Space on a focused button or link press it instead', () => {
    for (const tagName of ['BUTTON', 'A', 'SUMMARY']) {
      expect(press('grid', { key: 'Enter', on: { tagName } })).toBeNull();
      expect(press('grid', { key: ' ', on: { tagName } })).toBeNull();
    }
    expect(press('grid', { key: 'Enter' })).toEqual({ kind: 'open' });
  });

  it('no key press is claimed by two shortcuts in the same mode (US layout)', () => {
    // [code, key, key with Shift] of the keys a person might press
    const physical: [string, string, string][] = [
      ...[...'abcdefghijklmnopqrstuvwxyz'].map((c): [string, string, string] => [`Key${c.toUpperCase()}`, c, c.toUpperCase()]),
      ...[...'0123456789'].map((d, i): [string, string, string] => [`Digit${d}`, d, ')!@#$%^&*('[i]!]),
      ['Slash', '/', '?'],
      ['Equal', '=', '+'],
      ['Minus', '-', '_'],
      ['Space', ' ', ' '],
      ...['Enter', 'Escape', 'Delete', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End'].map(
        (k): [string, string, string] => [k, k, k],
      ),
    ];
    const clashes: string[] = [];
    for (const mode of ['grid', 'editor'] as const) {
      for (const [code, plainKey, shiftedKey] of physical)
        for (const shift of [false, true])
          for (const ctrl of [false, true])
            for (const alt of [false, true]) {
              const e = event({ key: shift ? shiftedKey : plainKey, code, shift, ctrl, alt });
              const matching = SHORTCUTS.filter((s) => s.modes.includes(mode) && s.match(e) !== null);
              if (matching.length > 1) clashes.push(`${mode} ${JSON.stringify({ code, shift, ctrl, alt })}: ${matching.map((s) => s.label).join(' | ')}`);
            }
    }
    expect(clashes).toEqual([]);
  });

  it('the sheet shows the keys that do it: status and split keys come from the same table', () => {
    expect(statusKey('done')).toBe('4');
    expect(splitKey('test')).toBe('⇧3');
    const statusRow = SHORTCUTS.find((s) => s.label.startsWith('Status'))!;
    expect(statusRow.keys).toEqual(Object.keys(STATUS_KEYS));
    expect(SHORTCUTS.find((s) => s.label.startsWith('Split'))!.keys).toEqual(['train', 'val', 'test'].map((s) => splitKey(s as 'train')));
  });
});
