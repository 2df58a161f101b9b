// A trainer killed while writing a checkpoint leaves its staging folder (.step_N.PID.partial);
// the studio removes such folders at start, and nothing else in the checkpoints folder.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removePartialCheckpoints } from '../../../src/main/training/checkpoints/checkpoint-writer';
import { makeTempDir } from '../../helpers/temp-dir';

const temp = makeTempDir('partial-checkpoints-');
afterAll(() => temp.remove());

describe('half-written checkpoints', () => {
  it('are removed, and only they', () => {
    const dir = join(temp.path, 'checkpoints');
    for (const name of ['step_2', '.step_4.1234.partial', 'step_4']) {
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, 'model.safetensors'), 'x');
    }
    writeFileSync(join(dir, '.step_5.partial-notes'), 'a file the studio did not write');
    expect(removePartialCheckpoints(dir)).toEqual(['.step_4.1234.partial']);
    expect(readdirSync(dir).sort()).toEqual(['.step_5.partial-notes', 'step_2', 'step_4']);
    expect(removePartialCheckpoints(join(temp.path, 'none'))).toEqual([]);
    expect(existsSync(join(dir, 'step_4', 'model.safetensors'))).toBe(true);
  });
});
