import { describe, expect, it } from 'vitest';
import { detectInferenceProviders, resolveProvider } from '../../../src/main/runtime/providers';

describe('detectInferenceProviders', () => {
  it('chooses an available provider and says why', () => {
    const d = detectInferenceProviders(true);
    expect(d.available).toContain('cpu');
    expect(d.available).toContain(d.chosen);
    expect(d.reason.length).toBeGreaterThan(10);
  });

  it('refuses a provider that is not available, with the reason', () => {
    const d = detectInferenceProviders();
    if (d.available.includes('cuda')) return;
    expect(() => resolveProvider('cuda')).toThrow(/cuda.*not available/);
    expect(resolveProvider('cpu').provider).toBe('cpu');
  });
});
