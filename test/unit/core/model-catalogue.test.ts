// The catalogue of published nanoVLM checkpoints: their names say their sizes, so the sizes computed
// from the family defaults must agree; memory grows with precision and with what trains.
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/shared/models';
import { modelCatalogue } from '../../../src/main/core/model-catalogue';

describe('model catalogue', () => {
  it('lists the three releases with the sizes their names say', () => {
    const entries = modelCatalogue([]);
    expect(entries.map((e) => [e.repo, e.family])).toEqual([
      ['lusxvr/nanoVLM-222M', 'prefix'],
      ['lusxvr/nanoVLM-450M', 'inline'],
      ['lusxvr/nanoVLM-230M-8k', 'split'],
    ]);
    const millions = entries.map((e) => e.parameters / 1e6);
    expect(millions[0]).toBeGreaterThan(210);
    expect(millions[0]).toBeLessThan(235);
    expect(millions[1]).toBeGreaterThan(430);
    expect(millions[1]).toBeLessThan(470);
    expect(millions[2]).toBeGreaterThan(215);
    expect(millions[2]).toBeLessThan(245);
    expect(entries[2]!.context).toBe(8192);
    for (const e of entries) {
      expect(e.downloadBytes).toBeGreaterThan(4 * e.parameters);
      expect(e.chatMemory.int4).toBeLessThan(e.chatMemory.int8);
      expect(e.chatMemory.int8).toBeLessThan(e.chatMemory.fp32);
      expect(e.trainMemory.projector).toBeLessThan(e.trainMemory['projector+language']);
      expect(e.trainMemory['projector+language']).toBeLessThan(e.trainMemory.full);
    }
  });

  it('marks the releases already added', () => {
    const added = { id: 'hub-222m', source: 'hub', reference: 'lusxvr/nanoVLM-222M' } as ModelInfo;
    const entries = modelCatalogue([added, { id: 'x', source: 'folder', reference: 'lusxvr/nanoVLM-450M' } as ModelInfo]);
    expect(entries.map((e) => e.modelId)).toEqual(['hub-222m', undefined, undefined]);
  });
});
