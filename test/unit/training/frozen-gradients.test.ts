// Frozen groups change what is computed, never the result: with the decoder and the encoder frozen
// (the "projector only" preset), the projector's gradient equals the one computed with every group
// trained. Frozen Linear weights take their own backward path (no weight gradient, no packed copy
// kept on wasm), so this checks that path against the trained one, on both CPU backends.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { readBatchFile, SINGLE_SAMPLE_NAMES } from '../../../src/main/cli/batch-file';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';
import { labelledLoss } from '../../../src/main/training/tfjs/labelled-loss';
import { parameterGroup } from '../../../src/main/model/parameters';
import { ModelParameters } from '../../../src/main/training/tfjs/parameters';
import type { ParameterGroupName, TfjsEngineName } from '../../../src/shared/training';
import { expectedFile, fixtureDir } from './fixtures';

function projectorGradients(trained: (group: ParameterGroupName) => boolean): Map<string, Float32Array> {
  const checkpoint = openCheckpoint(fixtureDir('split'));
  const parameters = ModelParameters.fromCheckpoint(checkpoint, trained);
  checkpoint.close();
  const batch = readBatchFile(expectedFile('split'), SINGLE_SAMPLE_NAMES);
  const projector = [...parameters.variables].filter(([name]) => parameterGroup(name) === 'mp');
  const { value, grads } = tf.variableGrads(
    () => labelledLoss(parameters.model(), batch),
    projector.map(([, v]) => v),
  );
  value.dispose();
  const out = new Map(projector.map(([name, v]) => [name, grads[v.name]!.dataSync() as Float32Array]));
  tf.dispose(grads);
  parameters.dispose();
  return out;
}

describe.each<TfjsEngineName>(['wasm', 'cpu'])('frozen groups on %s', (engine) => {
  it('the projector gets the same gradient whether the decoder and encoder are frozen or trained', async () => {
    await selectTrainingEngine(engine);
    const all = projectorGradients(() => true);
    const projectorOnly = projectorGradients((group) => group === 'mp');
    expect([...projectorOnly.keys()]).toEqual([...all.keys()]);
    for (const [name, grad] of projectorOnly) {
      const reference = all.get(name)!;
      const scale = Math.max(...reference.map(Math.abs));
      const worst = Math.max(...grad.map((g, i) => Math.abs(g - reference[i]!)));
      expect(worst / scale, name).toBeLessThan(1e-5);
    }
  });
});
