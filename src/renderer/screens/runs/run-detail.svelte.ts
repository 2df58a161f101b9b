// One run as its page shows it: summary, metrics and log tail, loaded once and then kept current
// by the run's events (metrics merge by step; the log keeps its newest lines).
import type { RunLogLine, RunMetric, RunSummary } from '../../../shared/runs';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';
import { upsertMetric } from './chart-data';

const LOG_LINES = 500;

export class RunDetailState {
  run = $state<RunSummary | undefined>();
  metrics = $state<RunMetric[]>([]);
  log = $state<RunLogLine[]>([]);
  missing = $state(false);

  constructor(readonly id: string) {}

  /** Subscribe first, then load, so nothing said in between is lost; returns the unsubscriber. */
  start(): () => void {
    const stops = [
      client.subscribe('run.updated', (run) => run.id === this.id && (this.run = run)),
      client.subscribe('run.metrics', ({ runId, metric }) => runId === this.id && upsertMetric(this.metrics, metric)),
      client.subscribe('run.log', ({ runId, line }) => runId === this.id && this.addLog(line)),
    ];
    void this.load();
    return () => stops.forEach((stop) => stop());
  }

  private async load(): Promise<void> {
    try {
      const detail = await client.call('runs.get', { id: this.id });
      const { metrics, log, ...summary } = detail;
      this.run = summary;
      for (const m of metrics) upsertMetric(this.metrics, m);
      const seen = new Set(this.log.map((l) => `${l.at}${l.text}`));
      this.log = [...log.filter((l) => !seen.has(`${l.at}${l.text}`)), ...this.log];
    } catch (err) {
      this.missing = true;
      reportError(err, 'Could not open the run');
    }
  }

  private addLog(line: RunLogLine): void {
    this.log.push(line);
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
  }
}
