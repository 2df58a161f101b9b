// Inference provider detection (CPU always, CUDA where its provider library and a GPU answer) and
// the refusal of a provider this machine lacks.
import { describe, expect, it } from 'vitest';
import { detectInferenceProviders, resolveProvider } from '../../../src/main/runtime/providers';

// Where CUDA is present nothing is refused, so the refusal can only be seen on machines without it.
const CUDA_PRESENT = detectInferenceProviders().available.includes('cuda');

describe('detectInferenceProviders', () => {
  it('chooses an available provider and says why', () => {
    const d = detectInferenceProviders(true);
    expect(d.available).toContain('cpu');
    expect(d.available).toContain(d.chosen);
    expect(d.reason.length).toBeGreaterThan(10);
  });

  it.skipIf(CUDA_PRESENT)('refuses a provider that is not available, with the reason (runs where CUDA is absent)', () => {
    expect(() => resolveProvider('cuda')).toThrow(/cuda.*not available/);
    expect(resolveProvider('cpu').provider).toBe('cpu');
  });
});
