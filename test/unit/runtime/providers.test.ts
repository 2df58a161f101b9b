// Inference provider detection (CPU always, CUDA where its provider library and a GPU answer) and
// the refusal of a provider this machine lacks.
import { describe, expect, it } from 'vitest';
import { detectInferenceProviders, parseProvider, PROVIDER_ENV, resolveProvider } from '../../../src/main/runtime/providers';

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

describe('the webgpu provider', () => {
  it('never chooses a software adapter by itself, and says so', () => {
    const d = detectInferenceProviders(true);
    const webgpu = d.candidates.find((c) => c.name === 'webgpu')!;
    expect(webgpu.detail.length).toBeGreaterThan(10);
    if (!d.webgpuAdapter?.software) return;
    expect(d.chosen).not.toBe('webgpu');
    expect(webgpu).toMatchObject({ available: true, detail: expect.stringMatching(/software adapter.*only when asked/) });
    expect(d.reason).toMatch(/passed over .*webgpu: /);
  });

  it('is used when asked through --provider or NANOVLM_PROVIDER, naming the adapter', () => {
    const d = detectInferenceProviders();
    if (!d.available.includes('webgpu')) {
      expect(() => resolveProvider('webgpu')).toThrow(/"webgpu" is not available: /);
      return;
    }
    const asked = resolveProvider('webgpu');
    expect(asked).toMatchObject({ provider: 'webgpu', reason: 'requested webgpu', device: expect.stringContaining(d.webgpuAdapter!.name) });
    expect(resolveProvider(undefined, { [PROVIDER_ENV]: 'webgpu' })).toMatchObject({ provider: 'webgpu', reason: `requested webgpu (${PROVIDER_ENV})` });
    if (d.webgpuAdapter!.software) expect(asked.device).toMatch(/software adapter/);
  });

  it('refuses a provider name it does not know, naming where it came from', () => {
    expect(() => parseProvider('tpu')).toThrow('--provider: "tpu" is not one of cpu, cuda, webgpu');
    expect(() => resolveProvider(undefined, { [PROVIDER_ENV]: 'gpu' })).toThrow(`${PROVIDER_ENV}: "gpu" is not one of`);
    expect(parseProvider(undefined)).toBeUndefined();
  });
});
