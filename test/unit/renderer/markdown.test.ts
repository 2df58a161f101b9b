// The Markdown reader of chat answers: the common forms models write, and HTML kept as text.
import { describe, expect, it } from 'vitest';
import { inlines, parseMarkdown } from '../../../src/renderer/lib/markdown';

describe('markdown', () => {
  it('reads paragraphs, headings, lists, quotes, rules and fenced code', () => {
    const blocks = parseMarkdown('# Title\n\nA line\nand more.\n\n- one\n- **two**\n\n1. first\n2. second\n\n> quoted\n\n---\n\n```js\nlet a = 1 < 2;\n```');
    expect(blocks.map((b) => b.kind)).toEqual(['h', 'p', 'list', 'list', 'quote', 'hr', 'code']);
    expect(blocks[1]).toEqual({
      kind: 'p',
      inline: [
        { kind: 'text', text: 'A line' },
        { kind: 'text', text: ' ' },
        { kind: 'text', text: 'and more.' },
      ],
    });
    expect(blocks[2]).toMatchObject({ ordered: false, items: [[{ kind: 'p' }], [{ kind: 'p', inline: [{ kind: 'strong' }] }]] });
    expect(blocks[3]).toMatchObject({ ordered: true, start: 1 });
    expect(blocks[6]).toEqual({ kind: 'code', lang: 'js', text: 'let a = 1 < 2;' });
  });

  it('keeps HTML and unsafe links as text', () => {
    expect(inlines('<b>bold</b> <script>alert(1)</script>')).toEqual([{ kind: 'text', text: '<b>bold</b> <script>alert(1)</script>' }]);
    expect(inlines('[x](javascript:alert(1))')).toEqual([{ kind: 'text', text: '[x](javascript:alert(1))' }]);
    expect(inlines('see [the docs](https://example.org/a)')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', href: 'https://example.org/a', children: [{ kind: 'text', text: 'the docs' }] },
    ]);
  });

  it('reads emphasis and code without touching snake_case, arithmetic or code contents', () => {
    expect(inlines('*a* and __b__ and `x * y`')).toEqual([
      { kind: 'em', children: [{ kind: 'text', text: 'a' }] },
      { kind: 'text', text: ' and ' },
      { kind: 'strong', children: [{ kind: 'text', text: 'b' }] },
      { kind: 'text', text: ' and ' },
      { kind: 'code', text: 'x * y' },
    ]);
    expect(inlines('snake_case_name and 2 * 3 * 4')).toEqual([{ kind: 'text', text: 'snake_case_name and 2 * 3 * 4' }]);
  });

  it('shows an unclosed fence of an answer still streaming as code', () => {
    expect(parseMarkdown('Here:\n```\nfirst line')).toEqual([
      { kind: 'p', inline: [{ kind: 'text', text: 'Here:' }] },
      { kind: 'code', lang: '', text: 'first line' },
    ]);
  });
});
