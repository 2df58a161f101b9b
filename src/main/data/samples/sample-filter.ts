// The grid's filters as one SQL WHERE clause over `samples s`, shared by the page query, counts
// and bulk selections, so that "select all matching" acts on exactly what the grid shows.
import type { SampleFilter } from '../../../shared/datasets';
import { maskOf } from './sample-content';

export interface SqlFragment {
  sql: string;
  params: Record<string, string | number>;
}

/** Words of the search box as an FTS5 query: every word must appear, as a word or a prefix. */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, 20)
    .map((w) => `"${w}"*`)
    .join(' ');
}

/** `text` as a LIKE pattern that matches it literally anywhere (ASCII letters in any case). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The search box as SQL. Words go through the full-text index (each one escaped, so FTS5 syntax
 * typed by the person stays text). Whatever is not a word (punctuation, a quote, a bracket) is
 * matched literally too: "(" finds the samples with a bracket, "what's" those with that exact
 * spelling, never "everything" because the index drops punctuation.
 */
function textTerms(text: string, params: SqlFragment['params']): string[] {
  const terms: string[] = [];
  const match = ftsQuery(text);
  if (match) {
    params.match = match;
    terms.push('s.id IN (SELECT rowid FROM sample_search WHERE sample_search MATCH @match)');
  }
  if (/[^\p{L}\p{N}_\s]/u.test(text)) {
    params.literal = likePattern(text);
    terms.push("s.id IN (SELECT rowid FROM sample_search WHERE questions LIKE @literal ESCAPE '\\' OR answers LIKE @literal ESCAPE '\\')");
  }
  return terms;
}

function inList(column: string, name: string, values: readonly string[], params: SqlFragment['params']): string {
  const keys = values.map((v, i) => {
    params[`${name}${i}`] = v;
    return `@${name}${i}`;
  });
  return `${column} IN (${keys.join(', ')})`;
}

export function filterWhere(datasetId: number, filter: SampleFilter = {}): SqlFragment {
  const params: SqlFragment['params'] = { datasetId };
  const terms = ['s.dataset_id = @datasetId', 's.deleted_at IS NULL'];
  if (filter.status?.length) terms.push(inList('s.status', 'status', filter.status, params));
  if (filter.split?.length) terms.push(inList('s.split', 'split', filter.split, params));
  if (filter.tag) {
    params.tag = filter.tag;
    terms.push('s.id IN (SELECT sample_id FROM sample_tags WHERE tag = @tag)');
  }
  if (filter.origin?.length) {
    params.originMask = maskOf(filter.origin);
    terms.push('(s.origin_mask & @originMask) != 0');
  }
  if (filter.duplicatesOnly) terms.push('s.duplicate_of IS NOT NULL');
  const text = filter.text?.trim();
  if (text) terms.push(...textTerms(text, params));
  return { sql: terms.join(' AND '), params };
}
