// The renderer's number formatting (src/renderer/lib/format.ts): sizes, counts, durations, rates.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatNumber, formatProgress, progressFraction } from '../../../src/renderer/lib/format';

describe('format', () => {
  it('bytes: binary units, one decimal below 10', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024)).toBe('10 KB');
    expect(formatBytes(5 * 1024 ** 2)).toBe('5.0 MB');
    expect(formatBytes(900 * 1024 ** 3)).toBe('900 GB');
    expect(formatBytes(2048 * 1024 ** 4)).toBe('2048 TB');
  });

  it('counts: K, M, B with one decimal until three digits', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(15_200)).toBe('15.2 K');
    expect(formatCount(760_000)).toBe('760 K');
    expect(formatCount(25_000_000)).toBe('25.0 M');
    expect(formatCount(222_081_600)).toBe('222 M');
    expect(formatCount(1_500_000_000)).toBe('1.5 B');
  });

  it('durations: seconds, minutes and seconds, hours and minutes', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(59_500)).toBe('1 min 0 s');
    expect(formatDuration(3_599_000)).toBe('59 min 59 s');
    expect(formatDuration(3_600_000)).toBe('1 h 0 min');
    expect(formatDuration(90 * 60_000)).toBe('1 h 30 min');
  });

  it('rates and losses: few characters, exponents for the very small and very large', () => {
    expect(formatNumber(undefined)).toBe('–');
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(5e-5)).toBe('5e−5');
    expect(formatNumber(2.5e-4)).toBe('2.5e−4');
    expect(formatNumber(0.00512)).toBe('0.00512');
    expect(formatNumber(2.31415)).toBe('2.314');
    expect(formatNumber(123_456)).toBe('1.2e+5');
  });

  it("job progress: a fraction when the total is known, in the job's unit", () => {
    expect(progressFraction({ done: 5, total: 10, unit: 'items' })).toBe(0.5);
    expect(progressFraction({ done: 12, total: 10, unit: 'items' })).toBe(1);
    expect(progressFraction({ done: 5, unit: 'items' })).toBeUndefined();
    expect(progressFraction({ done: 0, total: 0, unit: 'items' })).toBeUndefined();
    expect(formatProgress({ done: 42, total: 100, unit: 'steps' })).toBe('42%');
    expect(formatProgress({ done: 1024, total: 2048, unit: 'bytes' })).toBe('1.0 KB of 2.0 KB');
    expect(formatProgress({ done: 3, unit: 'items' })).toBe('3');
  });
});
