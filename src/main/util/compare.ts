// How far one float array is from another: the measures the parity checks use (tests, the GPU check).

/** Largest absolute difference; arrays of different lengths are an error. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** Root-mean-square error relative to the reference's root mean square. */
export function relativeRmsError(actual: Float32Array, expected: Float32Array): number {
  let err = 0;
  let ref = 0;
  for (let i = 0; i < expected.length; i++) {
    err += (actual[i]! - expected[i]!) ** 2;
    ref += expected[i]! ** 2;
  }
  return Math.sqrt(err / ref);
}
