// Largest, smallest and append-all over lists of any length. Spreading an array into a call
// (Math.max(...xs), out.push(...xs)) passes every element as an argument and overflows the call
// stack somewhere past 100,000 elements (a 128,256-token vocabulary, a long run's metrics), so
// data-sized lists go through these loops instead.

/** Math.max(floor, ...values) without the spread (so -Infinity for an empty list by default). */
export function maxOf(values: Iterable<number>, floor = Number.NEGATIVE_INFINITY): number {
  let max = floor;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** Math.min(ceiling, ...values) without the spread (so Infinity for an empty list by default). */
export function minOf(values: Iterable<number>, ceiling = Number.POSITIVE_INFINITY): number {
  let min = ceiling;
  for (const v of values) if (v < min) min = v;
  return min;
}

/** target.push(...items) without the spread; returns target. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
