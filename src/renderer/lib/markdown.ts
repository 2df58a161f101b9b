// A small Markdown reader for model answers: paragraphs, headings, lists, block quotes, code
// (fenced and inline), bold, italic and links. It returns a tree that Markdown.svelte renders as
// elements with text nodes, so nothing a model writes is ever parsed as HTML: "<b>" stays text.
// Links keep only http(s) and mailto addresses; anything else stays plain text.

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong' | 'em'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] }
  | { kind: 'br' };

export type Block =
  | { kind: 'p'; inline: Inline[] }
  | { kind: 'h'; level: 1 | 2 | 3 | 4; inline: Inline[] }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'quote'; blocks: Block[] }
  | { kind: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { kind: 'hr' };

const FENCE = /^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,4})\s+(.*?)\s*#*\s*$/;
const ITEM = /^(\s{0,3})([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;

export function parseMarkdown(source: string): Block[] {
  return blocks(source.replace(/\r\n?/g, '\n').split('\n'));
}

function blocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i++; // the closing fence (or the end of an answer still streaming)
      out.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      out.push({ kind: 'h', level: heading[1]!.length as 1 | 2 | 3 | 4, inline: inlines(heading[2]!) });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push({ kind: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) body.push(QUOTE.exec(lines[i++]!)![1]!);
      out.push({ kind: 'quote', blocks: blocks(body) });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const [list, next] = listAt(lines, i);
      out.push(list);
      i = next;
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines[i]!)) para.push(lines[i++]!);
    out.push({ kind: 'p', inline: joinLines(para) });
  }
  return out;
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || ITEM.test(line) || RULE.test(line);
}

function listAt(lines: string[], from: number): [Block, number] {
  const first = ITEM.exec(lines[from]!)!;
  const ordered = /\d/.test(first[2]!);
  const items: Block[][] = [];
  let i = from;
  let current: string[] = [];
  while (i < lines.length) {
    const line = lines[i]!;
    const item = ITEM.exec(line);
    if (item && /\d/.test(item[2]!) === ordered && item[1]!.length <= first[1]!.length) {
      if (current.length) items.push(blocks(current));
      current = [item[3]!];
    } else if (line.trim() !== '' && (/^\s{2,}/.test(line) || !startsBlock(line))) {
      current.push(line.replace(/^\s{2,4}/, ''));
    } else if (line.trim() === '' && i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1]!)) {
      current.push('');
    } else break;
    i++;
  }
  if (current.length) items.push(blocks(current));
  return [{ kind: 'list', ordered, start: ordered ? Number.parseInt(first[2]!, 10) : 1, items }, i];
}

/** lines of one paragraph: a line ending in two spaces or a backslash breaks; others join with a space */
function joinLines(lines: string[]): Inline[] {
  const out: Inline[] = [];
  lines.forEach((line, k) => {
    const hard = / {2,}$|\\$/.test(line);
    out.push(...inlines(line.replace(/( {2,}|\\)$/, '').trim()));
    if (k < lines.length - 1) out.push(hard ? { kind: 'br' } : { kind: 'text', text: ' ' });
  });
  return out;
}

const SAFE_HREF = /^(https?:\/\/|mailto:)[^\s<>"]+$/i;

/** Inline spans, left to right: code first (nothing inside it is read), then links, then emphasis. */
export function inlines(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#>!~-]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const ticks = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        flush();
        out.push({ kind: 'code', text: text.slice(i + ticks.length, end).trim() || text.slice(i + ticks.length, end) });
        i = end + ticks.length;
        continue;
      }
    }
    if (c === '[') {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(text.slice(i));
      if (link && SAFE_HREF.test(link[2]!)) {
        flush();
        out.push({ kind: 'link', href: link[2]!, children: inlines(link[1]!) });
        i += link[0].length;
        continue;
      }
    }
    if (c === '*' || c === '_') {
      const strong = text.startsWith(c + c, i);
      const mark = strong ? c + c : c;
      const end = text.indexOf(mark, i + mark.length);
      const inner = end > 0 ? text.slice(i + mark.length, end) : '';
      // emphasis needs text right inside the marks; snake_case and 2 * 3 stay as they are
      const wordInside = c === '_' && /\w/.test(text[i - 1] ?? '');
      if (end > 0 && inner.trim() === inner && inner !== '' && !wordInside) {
        flush();
        out.push({ kind: strong ? 'strong' : 'em', children: inlines(inner) });
        i = end + mark.length;
        continue;
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}
