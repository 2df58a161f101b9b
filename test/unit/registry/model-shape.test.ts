// Models report their parameters per optimiser group and dimensions (what the run form's memory
// estimate needs).
import { describe, expect, it } from 'vitest';
import { modelShapeOfFolder } from '../../../src/main/registry/model-shape';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

describe('parameter groups', () => {
  it('splits every fixture family into projector, vision and language parameters', () => {
    for (const family of ['prefix', 'inline', 'split'] as const) {
      const groups = modelShapeOfFolder(fixtureModelFolder(family))!.groups;
      expect(groups.mp).toBeGreaterThan(0);
      expect(groups.vision).toBeGreaterThan(groups.mp);
      expect(groups.language).toBeGreaterThan(0);
    }
  });

  it('is undefined for a folder without a readable config', () => {
    const temp = makeTempDir();
    expect(modelShapeOfFolder(temp.path)).toBeUndefined();
    temp.remove();
  });
});
