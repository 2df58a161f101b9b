// The renderer's small pure helpers for words and decisions: a model reference read as a folder or
// a Hub repo id (as the core reads it), when a run can resume and which checkpoint was best, the
// grid cell of an edited sample, and the run form's defaults.
import { describe, expect, it } from 'vitest';
import { isLocalReference } from '../../../src/main/hub/hub';
import { summaryOf } from '../../../src/renderer/screens/datasets/sample-summary';
import { isFolderReference } from '../../../src/renderer/screens/models/model-labels';
import { NUMBER_SETTINGS, RUN_DEFAULTS } from '../../../src/renderer/screens/runs/hyperparameters';
import { bestCheckpointStep, canResume, formatPercent } from '../../../src/renderer/screens/runs/run-labels';
import type { Sample } from '../../../src/shared/datasets';
import type { RunCheckpoint, RunStatus, RunSummary } from '../../../src/shared/runs';

const run = (status: RunStatus, checkpoints: RunCheckpoint[], maxSteps = 100): RunSummary => ({
  id: 'r',
  name: 'r',
  status,
  datasetId: 1,
  datasetVersionId: 1,
  baseModelId: 'm',
  settings: { ...RUN_DEFAULTS, maxSteps },
  learningRates: { mp: 1e-3, vision: 0, language: 0 },
  step: checkpoints.at(-1)?.step ?? 0,
  folder: '/runs/r',
  checkpoints,
  startedAt: 0,
});
const checkpoint = (step: number, valAccuracy?: number): RunCheckpoint => ({ step, dir: `/runs/r/step-${step}`, valAccuracy });

describe('model references', () => {
  it('a path is a folder, owner/name is a Hub repo: the same call as the core makes', () => {
    const folders = ['/models/mine', './mine', '../mine', '~/models/mine', 'C:\\models\\mine', 'D:/m', 'mine', 'a/b/c'];
    const repos = ['lusxvr/nanoVLM-222M', 'HuggingFaceTB/SmolLM2-135M'];
    for (const reference of folders) expect([reference, isFolderReference(reference)]).toEqual([reference, true]);
    for (const reference of repos) expect([reference, isFolderReference(reference)]).toEqual([reference, false]);
    // none of these exist here, so the core decides by their look alone, as the renderer must
    for (const reference of [...folders, ...repos]) expect([reference, isFolderReference(reference)]).toEqual([reference, isLocalReference(reference)]);
  });
});

describe('runs in words', () => {
  it('a run resumes from its last checkpoint unless it is running, has none, or finished every step', () => {
    expect(canResume(run('running', [checkpoint(10)]))).toBe(false);
    expect(canResume(run('failed', []))).toBe(false);
    expect(canResume(run('failed', [checkpoint(10)]))).toBe(true);
    expect(canResume(run('cancelled', [checkpoint(10)]))).toBe(true);
    expect(canResume(run('finished', [checkpoint(100)]))).toBe(false);
    expect(canResume(run('finished', [checkpoint(50)], 100))).toBe(true);
  });

  it('percentages: one decimal, none for 0 and 100, a dash when not evaluated', () => {
    expect(formatPercent(0.756)).toBe('75.6 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(undefined)).toBe('–');
  });

  it('the best checkpoint: highest val accuracy, the later on a tie; none when it would say nothing', () => {
    expect(bestCheckpointStep(run('finished', [checkpoint(10, 0.5), checkpoint(20, 0.8), checkpoint(30, 0.8), checkpoint(40, 0.6)]))).toBe(30);
    expect(bestCheckpointStep(run('finished', [checkpoint(10, 0.5), checkpoint(20)]))).toBeUndefined();
    expect(bestCheckpointStep(run('finished', [checkpoint(10, 0.5), checkpoint(20, 0.5)]))).toBeUndefined();
  });
});

describe('the grid cell of an edited sample', () => {
  it('shows the first turn, the turn count and where its answers came from (answered turns only, once each)', () => {
    const sample: Sample = {
      id: 7,
      datasetId: 1,
      images: [{ id: 'img1', width: 10, height: 10, format: 'png', bytes: 100 }],
      turns: [
        { user: 'What colour?', assistant: 'Red', origin: 'model', model: 'demo' },
        { user: 'Shape?', assistant: 'Circle', origin: 'person' },
        { user: 'Size?', assistant: '  ', origin: 'import' },
        { user: 'Where?', assistant: 'Left', origin: 'model' },
      ],
      split: 'val',
      status: 'review',
      tags: ['hard'],
      duplicateOf: null,
      source: null,
      createdAt: 1,
      updatedAt: 2,
    };
    expect(summaryOf(sample)).toEqual({
      id: 7,
      imageIds: ['img1'],
      firstQuestion: 'What colour?',
      firstAnswer: 'Red',
      turnCount: 4,
      split: 'val',
      status: 'review',
      tags: ['hard'],
      origins: ['model', 'person'],
      duplicateOf: null,
      updatedAt: 2,
    });
    expect(summaryOf({ ...sample, turns: [] })).toMatchObject({ firstQuestion: '', firstAnswer: '', turnCount: 0, origins: [] });
  });
});

describe('the run form', () => {
  it("starts from the API schema's defaults, each inside the range its field accepts", () => {
    for (const { key, min, max } of NUMBER_SETTINGS) {
      const value = RUN_DEFAULTS[key];
      expect([key, typeof value === 'number' && value >= min && value <= max]).toEqual([key, true]);
    }
  });
});
