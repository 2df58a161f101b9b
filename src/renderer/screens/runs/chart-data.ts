// Metrics as uPlot wants them: one x array of steps and one y array per line (null where a step
// has no value), for one run's charts and for several runs on one chart.
import type { AlignedData } from 'uplot';
import type { RunMetric } from '../../../shared/runs';

export type MetricPick = (m: RunMetric) => number | undefined;

export interface ChartLine {
  label: string;
  color: string;
  pick: MetricPick;
}

export const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#1098ad', '#c92a2a', '#5c940d', '#f08c00'];

/** positive finite values only where the scale is logarithmic */
const clean = (v: number | undefined, log: boolean): number | null => (v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v);

export function runSeries(metrics: RunMetric[], lines: ChartLine[], log = false): AlignedData {
  const rows = [...metrics].sort((a, b) => a.step - b.step);
  return [rows.map((m) => m.step), ...lines.map((line) => rows.map((m) => clean(line.pick(m), log)))];
}

/** several runs' values of one metric over the union of their steps */
export function compareSeries(runs: RunMetric[][], pick: MetricPick, log = false): AlignedData {
  const steps = [...new Set(runs.flatMap((metrics) => metrics.map((m) => m.step)))].sort((a, b) => a - b);
  const ys = runs.map((metrics) => {
    const byStep = new Map(metrics.map((m) => [m.step, m]));
    return steps.map((s) => {
      const m = byStep.get(s);
      return m ? clean(pick(m), log) : null;
    });
  });
  return [steps, ...ys];
}

export function hasValues(data: AlignedData): boolean {
  return data.slice(1).some((ys) => ys.some((v) => v !== null && v !== undefined));
}

/** keep the newest metric per step, in step order */
export function upsertMetric(metrics: RunMetric[], metric: RunMetric): void {
  const index = metrics.findIndex((m) => m.step === metric.step);
  if (index >= 0) metrics[index] = metric;
  else if (!metrics.length || metrics.at(-1)!.step < metric.step) metrics.push(metric);
  else
    metrics.splice(
      metrics.findIndex((m) => m.step > metric.step),
      0,
      metric,
    );
}

/**
 * An exponential moving average over the values present (TensorBoard's smoothing, debiased so the
 * first values are not pulled towards zero): weight 0 leaves them as they are, 0.99 is very smooth.
 */
export function smooth(ys: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return ys;
  let last = 0;
  let seen = 0;
  return ys.map((v) => {
    if (v === null || v === undefined) return null;
    last = last * weight + (1 - weight) * v;
    seen++;
    return last / (1 - weight ** seen);
  });
}

/** Lines with the same values at every step drawn once, labelled together ("vision = language"). */
export function mergeEqualLines(lines: ChartLine[], metrics: RunMetric[]): ChartLine[] {
  const merged: ChartLine[] = [];
  for (const line of lines) {
    const same = merged.findIndex((m) => metrics.every((metric) => m.pick(metric) === line.pick(metric)));
    if (same >= 0 && metrics.length) merged[same] = { ...merged[same]!, label: `${merged[same]!.label} = ${line.label}` };
    else merged.push(line);
  }
  return merged;
}
