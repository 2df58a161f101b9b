// A GPU that fails: a provider detection chose that cannot load a model gives way to the CPU, and
// a device lost in the middle of an answer fails that one request with a message saying so, after
// which the model loads on the CPU and answers. No hardware GPU exists here, so detection is shown
// a stand-in hardware adapter that is really lavapipe (its sessions are real WebGPU sessions), and
// the failures are thrown where Dawn would throw them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { EnginePool } from '../../../src/main/chat/engine-pool';
import { EventBus } from '../../../src/main/core/event-bus';
import { JobManager } from '../../../src/main/core/jobs';
import type { ModelRegistry } from '../../../src/main/registry/model-registry';
import { clearProviderFailures, detectInferenceProviders, isDeviceFailure, loadWithFallback } from '../../../src/main/runtime/providers';
import { WEBGPU_AVAILABLE } from '../../helpers/webgpu';

const DEMO_MODEL = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-model');
const { STAND_IN } = vi.hoisted(() => ({ STAND_IN: 'Stand-in GPU (lavapipe underneath)' }));

vi.mock('../../../src/main/runtime/gpu-adapters', async (original) => {
  const real = await original<typeof import('../../../src/main/runtime/gpu-adapters')>();
  return {
    ...real,
    detectWebGpuAdapters: () => {
      const found = real.detectWebGpuAdapters();
      const lavapipe = found.adapters.find((a) => a.software);
      return lavapipe ? { adapters: [{ ...lavapipe, name: STAND_IN, software: false }], notes: [] } : found;
    },
  };
});

afterEach(() => clearProviderFailures());

describe.skipIf(!WEBGPU_AVAILABLE)('a GPU that fails', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nanovlm-device-failure-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is chosen while it works', () => {
    const d = detectInferenceProviders(true);
    expect(d.chosen).toBe('webgpu');
    expect(d.webgpuAdapter?.name).toBe(STAND_IN);
  });

  it('that cannot load a model gives way to the CPU, saying why, and is passed over afterwards', async () => {
    detectInferenceProviders(true);
    const loaded = await loadWithFallback(undefined, async (r) => {
      if (r.provider === 'webgpu') throw new Error('Dawn: failed to allocate a buffer of 512 MiB (out of memory)');
      return r;
    });
    expect(loaded.provider).toBe('cpu');
    expect(loaded.reason).toMatch(new RegExp(`^webgpu on ${STAND_IN.replace(/[()]/g, '\\$&')} failed \\(Dawn: failed to allocate .*\\); fell back to cpu`));
    const webgpu = detectInferenceProviders().candidates.find((c) => c.name === 'webgpu')!;
    expect(webgpu).toMatchObject({ available: false, detail: expect.stringMatching(/^failed earlier in this session: Dawn: failed to allocate/) });
  });

  it('asked for by name fails the load with its own error: nothing is swapped behind the person’s back', async () => {
    detectInferenceProviders(true);
    await expect(
      loadWithFallback('webgpu', async () => {
        throw new Error('Dawn: device lost');
      }),
    ).rejects.toThrow('Dawn: device lost');
  });

  it('lost in the middle of an answer fails that request, then the model answers on the CPU', async () => {
    detectInferenceProviders(true);
    const pool = new EnginePool({ dataDir, models: {} as ModelRegistry, jobs: new JobManager(new EventBus()) });
    const ref = { name: 'the demo model', folder: DEMO_MODEL, tokenizerFolder: DEMO_MODEL };
    try {
      const during = pool.withCheckpoint(ref, 'none', async ({ engine }) => {
        expect([engine.provider, engine.device]).toEqual(['webgpu', STAND_IN]);
        throw new Error('Dawn: the device was lost (VK_ERROR_DEVICE_LOST)');
      });
      await expect(during).rejects.toThrow(
        /^the GPU failed during this request \(webgpu on Stand-in GPU .*: Dawn: the device was lost .*\); the model will load on CPU for the next one$/,
      );
      const after = await pool.withCheckpoint(ref, 'none', async ({ engine }) => [engine.provider, engine.providerReason]);
      expect(after[0]).toBe('cpu');
      expect(after[1]).toMatch(/webgpu: failed earlier in this session: Dawn: the device was lost/);
      // an ordinary failure of the work is not taken for the device's
      await expect(pool.withCheckpoint(ref, 'none', async () => Promise.reject(new Error('the prompt is too long')))).rejects.toThrow(
        /^the prompt is too long$/,
      );
    } finally {
      await pool.dispose();
    }
  });
});

describe('device failures are told from other errors', () => {
  it.each([
    ['Dawn: the device was lost (VK_ERROR_DEVICE_LOST)', true],
    ['CUDA error: out of memory', true],
    ['Failed to allocate memory for requested buffer of size 2147483648', true],
    ['the prompt is too long', false],
    ['Input "pixel_values": wrong shape', false],
  ])('%s → %s', (message, expected) => expect(isDeviceFailure(new Error(message))).toBe(expected));
});
