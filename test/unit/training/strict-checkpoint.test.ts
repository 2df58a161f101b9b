// Checkpoints nanoVLM loads strictly: every file the studio writes (a run's checkpoint, init-model,
// the bundled demo) holds exactly the tensors nanoVLM's state_dict holds for its family, the
// rotary buffer included, and a checkpoint nanoVLM wrote comes back out byte for byte.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { ROTARY_INV_FREQ, stateDictShapes } from '../../../src/main/model/parameters';
import { rotaryInvFreq } from '../../../src/main/model/rope';
import { encodeSafetensors, SafetensorsFile } from '../../../src/main/model/safetensors';
import { parseConfig } from '../../../src/main/model/config';
import { writeRandomModel } from '../../../src/main/demo/random-init';
import { DEMO_DIMS, tinyConfig } from '../../../src/main/demo/tiny-config';
import { writeCheckpoint } from '../../../src/main/training/checkpoints/checkpoint-writer';
import { selectTrainingEngine } from '../../../src/main/training/tfjs/backends';
import { ModelParameters } from '../../../src/main/training/tfjs/parameters';
import { FAMILIES, fixtureDir } from './fixtures';

const DEMO_MODEL = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-model');

/** name → "dtype [shape]" of every tensor in a safetensors file. */
function layout(path: string): Map<string, string> {
  const file = SafetensorsFile.open(path);
  try {
    return new Map(
      file
        .names()
        .sort()
        .map((n) => [n, `${file.info(n).dtype} [${file.info(n).shape.join(',')}]`]),
    );
  } finally {
    file.close();
  }
}

async function rewrite(from: string, to: string): Promise<void> {
  const checkpoint = openCheckpoint(from);
  const parameters = ModelParameters.fromCheckpoint(checkpoint, () => false);
  checkpoint.close();
  try {
    await writeCheckpoint(to, parameters);
  } finally {
    parameters.dispose();
  }
}

let work: string;
beforeAll(async () => {
  await selectTrainingEngine('wasm');
  work = mkdtempSync(join(tmpdir(), 'nanovlm-strict-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('checkpoints hold exactly nanoVLM’s state_dict', () => {
  it.each(FAMILIES)('%s: inv_freq is computed as nanoVLM computes it (bit for bit)', (family) => {
    const stored = SafetensorsFile.open(join(fixtureDir(family), 'model.safetensors'));
    const bytes = stored.readBytes(ROTARY_INV_FREQ);
    stored.close();
    const { config } = parseConfig(openConfig(family));
    expect(Buffer.from(rotaryInvFreq(config).buffer).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(FAMILIES)('%s: the state_dict layout is the fixture’s, and a run’s checkpoint writes it back byte for byte', async (family) => {
    const source = join(fixtureDir(family), 'model.safetensors');
    const { config } = parseConfig(openConfig(family));
    const expected = layout(source);
    expect([...stateDictShapes(config)].map(([n, s]) => [n, `F32 [${s.join(',')}]`]).sort()).toEqual([...expected]);

    const dir = join(work, `rewritten-${family}`);
    await rewrite(fixtureDir(family), dir);
    expect(layout(join(dir, 'model.safetensors'))).toEqual(expected);
    const before = SafetensorsFile.open(source);
    const after = SafetensorsFile.open(join(dir, 'model.safetensors'));
    for (const name of before.names()) expect(Buffer.from(after.readBytes(name)).equals(Buffer.from(before.readBytes(name))), name).toBe(true);
    before.close();
    after.close();
  });

  it.each(FAMILIES)('%s: a fresh model (init-model) has the fixture’s layout', (family) => {
    const dir = join(work, `fresh-${family}`);
    writeRandomModel(dir, openConfig(family), 1);
    expect(layout(join(dir, 'model.safetensors'))).toEqual(layout(join(fixtureDir(family), 'model.safetensors')));
  });

  it('the bundled demo model holds exactly its state_dict', () => {
    const checkpoint = openCheckpoint(DEMO_MODEL);
    const shapes = stateDictShapes(checkpoint.config);
    checkpoint.close();
    expect([...layout(join(DEMO_MODEL, 'model.safetensors'))]).toEqual([...shapes].map(([n, s]) => [n, `F32 [${s.join(',')}]`]).sort());
  });

  it('the demo recipe’s config writes the demo’s layout', () => {
    const dir = join(work, 'fresh-demo');
    writeRandomModel(dir, tinyConfig(DEMO_DIMS), 0);
    expect(layout(join(dir, 'model.safetensors'))).toEqual(layout(join(DEMO_MODEL, 'model.safetensors')));
  });

  it('refuses a checkpoint whose inv_freq has the wrong shape, naming the tensor', () => {
    const dir = join(work, 'bad-buffer');
    writeRandomModel(dir, openConfig('split'), 0);
    const file = SafetensorsFile.open(join(dir, 'model.safetensors'));
    const tensors = Object.fromEntries(
      file.names().map((n) => [
        n,
        {
          dtype: 'F32' as const,
          shape: n === ROTARY_INV_FREQ ? [4] : file.info(n).shape,
          data: n === ROTARY_INV_FREQ ? new Float32Array(4) : file.readFloat32(n),
        },
      ]),
    );
    file.close();
    writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(tensors));
    expect(() => openCheckpoint(dir)).toThrow(/decoder\.rotary_embd\.inv_freq.*\[8\]/);
  });
});

function openConfig(family: (typeof FAMILIES)[number]): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixtureDir(family), 'config.json'), 'utf8')) as Record<string, unknown>;
}
