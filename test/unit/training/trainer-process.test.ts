// The trainer subprocess end to end on a tiny model: fork, train two steps on a small JSONL
// dataset, write checkpoints, report in typed messages, exit cleanly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../../src/main/model/checkpoint';
import { writeByteTokenizer } from '../../../src/main/model/byte-tokenizer';
import { startTrainerProcess } from '../../../src/main/training/process/trainer-client';
import { DEFAULT_OPTIMIZER, type TrainerMessage, type TrainingRunConfig } from '../../../src/shared/training';
import { FIXTURE_RATES, fixtureDir } from './fixtures';

let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'nanovlm-trainer-'));
  writeByteTokenizer(join(work, 'tokenizer'));
  const colours = { red: [220, 30, 30], green: [30, 200, 30], blue: [30, 30, 220] } as const;
  const lines: string[] = [];
  for (const [name, [r, g, b]] of Object.entries(colours)) {
    await sharp({ create: { width: 40, height: 40, channels: 3, background: { r, g, b } } })
      .png()
      .toFile(join(work, `${name}.png`));
    lines.push(JSON.stringify({ images: [`${name}.png`], texts: [{ user: 'What colour?', assistant: name }] }));
  }
  writeFileSync(join(work, 'data.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('trainer subprocess', () => {
  it('trains, checkpoints and reports in messages', async () => {
    const config: TrainingRunConfig = {
      baseModelDir: fixtureDir('inline'),
      tokenizerDir: join(work, 'tokenizer'),
      datasetPath: join(work, 'data.jsonl'),
      outputDir: join(work, 'run'),
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates: FIXTURE_RATES },
      maxSteps: 2,
      batchSize: 2,
      gradientAccumulationSteps: 1,
      seed: 1,
      checkpointEvery: 1,
      engine: 'wasm',
    };
    const messages: TrainerMessage[] = [];
    const handle = startTrainerProcess(config, (m) => messages.push(m));
    expect(await handle.exited).toBe(0);
    const failed = messages.find((m) => m.type === 'failed');
    expect(failed, JSON.stringify(failed)).toBeUndefined();
    expect(messages[0]).toMatchObject({ type: 'started', engine: 'wasm', startStep: 0 });
    const metrics = messages.filter((m) => m.type === 'metrics');
    expect(metrics.map((m) => m.step)).toEqual([1, 2]);
    for (const m of metrics) expect(Number.isFinite(m.loss) && Number.isFinite(m.gradNorm)).toBe(true);
    expect(messages.filter((m) => m.type === 'checkpoint').map((m) => m.step)).toEqual([1, 2]);
    const finished = messages.at(-1)!;
    expect(finished).toMatchObject({ type: 'finished', step: 2, checkpointDir: join(work, 'run', 'step_2') });
    openCheckpoint(join(work, 'run', 'step_2')).close();
  });
});
