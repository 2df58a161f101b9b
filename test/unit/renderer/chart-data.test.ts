// The run charts' data (src/renderer/screens/runs/chart-data.ts): metrics as uPlot's aligned arrays
// for one run and for several, and the metric list kept in step order as events arrive.
import { describe, expect, it } from 'vitest';
import type { RunMetric } from '../../../src/shared/runs';
import { compareSeries, hasValues, runSeries, upsertMetric, type ChartLine } from '../../../src/renderer/screens/runs/chart-data';

const metric = (step: number, loss: number, extra: Partial<RunMetric> = {}): RunMetric => ({
  step,
  loss,
  gradNorm: 1,
  learningRates: { mp: 1e-3, vision: 0, language: 1e-4 },
  at: step * 1000,
  ...extra,
});

const LOSS: ChartLine = { label: 'loss', color: '#000', pick: (m) => m.loss };
const VAL_LOSS: ChartLine = { label: 'val loss', color: '#111', pick: (m) => m.valLoss };

describe('chart data', () => {
  it('one run: steps in order, one array per line, null where a step has no value', () => {
    const data = runSeries([metric(3, 0.5, { valLoss: 0.7 }), metric(1, 2), metric(2, 1)], [LOSS, VAL_LOSS]);
    expect(data).toEqual([
      [1, 2, 3],
      [2, 1, 0.5],
      [null, null, 0.7],
    ]);
  });

  it('a logarithmic scale drops values it cannot draw (zero, negative, infinite)', () => {
    const data = runSeries([metric(1, 0), metric(2, -1), metric(3, Number.POSITIVE_INFINITY), metric(4, 0.25)], [LOSS], true);
    expect(data).toEqual([
      [1, 2, 3, 4],
      [null, null, null, 0.25],
    ]);
    expect(runSeries([metric(1, 0)], [LOSS])).toEqual([[1], [0]]);
  });

  it('several runs: the union of their steps, null where a run has no such step', () => {
    const data = compareSeries(
      [
        [metric(1, 3), metric(3, 1)],
        [metric(2, 4), metric(3, 2)],
      ],
      (m) => m.loss,
    );
    expect(data).toEqual([
      [1, 2, 3],
      [3, null, 1],
      [null, 4, 2],
    ]);
  });

  it('says whether there is anything to draw', () => {
    expect(hasValues(runSeries([metric(1, 2)], [VAL_LOSS]))).toBe(false);
    expect(hasValues(runSeries([metric(1, 2)], [LOSS, VAL_LOSS]))).toBe(true);
    expect(hasValues(compareSeries([], (m) => m.loss))).toBe(false);
  });

  it('keeps the newest metric per step, in step order, whatever order events come in', () => {
    const metrics: RunMetric[] = [];
    for (const m of [metric(2, 2), metric(4, 4), metric(1, 1), metric(3, 3), metric(4, 0.4, { valLoss: 1 })]) upsertMetric(metrics, m);
    expect(metrics.map((m) => [m.step, m.loss])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 0.4],
    ]);
    expect(metrics.at(-1)!.valLoss).toBe(1);
  });
});
