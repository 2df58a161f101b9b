import { describe, expect, it } from 'vitest';
import { choiceLetter, isCorrectAnswer, normalizeAnswer } from '../../../src/main/eval/answer-match';

describe('answer matching', () => {
  it('normalises case, spaces and punctuation', () => {
    expect(normalizeAnswer('  A Red   Circle! ')).toBe('a red circle');
    expect(isCorrectAnswer('red', 'Red.')).toBe(true);
    expect(isCorrectAnswer('two', 'two cats')).toBe(false);
    expect(isCorrectAnswer("it's", 'its')).toBe(false);
    expect(isCorrectAnswer('top-left', 'top left')).toBe(true);
  });

  it('compares the letter of a multiple-choice answer', () => {
    expect(choiceLetter('B')).toBe('b');
    expect(choiceLetter('(c)')).toBe('c');
    expect(choiceLetter('cat')).toBeUndefined();
    expect(isCorrectAnswer('B', 'B. A cat')).toBe(true);
    expect(isCorrectAnswer('B', '(b)')).toBe(true);
    expect(isCorrectAnswer('B', 'A')).toBe(false);
    expect(isCorrectAnswer('A', 'a cat')).toBe(false);
  });
});
