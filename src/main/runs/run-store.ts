// Runs in SQLite: the run (settings, status, checkpoints), its metrics per step and its log.
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../shared/api';
import type { RunCheckpoint, RunDetail, RunLogLine, RunMetric, RunPrediction, RunPredictions, RunSettings, RunStatus, RunSummary } from '../../shared/runs';
import type { LearningRates, TrainingEngineName } from '../../shared/training';
import type { StudioDatabase } from '../data/database';

interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  dataset_id: number;
  dataset_version_id: number;
  base_model_id: string;
  settings: string;
  learning_rates: string;
  engine: string | null;
  engine_reason: string | null;
  step: number;
  last_loss: number | null;
  folder: string;
  checkpoints: string;
  started_at: number;
  ended_at: number | null;
  error: string | null;
}

const LOG_TAIL = 500;

function toSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    datasetId: r.dataset_id,
    datasetVersionId: r.dataset_version_id,
    baseModelId: r.base_model_id,
    settings: JSON.parse(r.settings) as RunSettings,
    learningRates: JSON.parse(r.learning_rates) as LearningRates,
    ...(r.engine ? { engine: r.engine as TrainingEngineName, engineReason: r.engine_reason ?? '' } : {}),
    step: r.step,
    ...(r.last_loss !== null ? { lastLoss: r.last_loss } : {}),
    folder: r.folder,
    checkpoints: JSON.parse(r.checkpoints) as RunCheckpoint[],
    startedAt: r.started_at,
    ...(r.ended_at !== null ? { endedAt: r.ended_at } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

export interface NewRun {
  name: string;
  datasetId: number;
  datasetVersionId: number;
  baseModelId: string;
  settings: RunSettings;
  learningRates: LearningRates;
  folder: (id: string) => string;
}

export class RunStore {
  constructor(private readonly db: StudioDatabase) {}

  create(run: NewRun): RunSummary {
    const id = randomUUID();
    this.db
      .prepare(
        `INSERT INTO runs (id, name, status, dataset_id, dataset_version_id, base_model_id, settings, learning_rates, step, folder, checkpoints, started_at)
        VALUES (?, ?, 'running', ?, ?, ?, ?, ?, 0, ?, '[]', ?)`,
      )
      .run(
        id,
        run.name,
        run.datasetId,
        run.datasetVersionId,
        run.baseModelId,
        JSON.stringify(run.settings),
        JSON.stringify(run.learningRates),
        run.folder(id),
        Date.now(),
      );
    return this.get(id);
  }

  get(id: string): RunSummary {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new ApiError('not_found', `no run with id ${id}`, 'id');
    return toSummary(row);
  }

  list(): RunSummary[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC').all() as RunRow[]).map(toSummary);
  }

  detail(id: string): RunDetail {
    const metrics = (this.db.prepare('SELECT data FROM run_metrics WHERE run_id = ? ORDER BY step').all(id) as { data: string }[]).map(
      (r) => JSON.parse(r.data) as RunMetric,
    );
    const log = (this.db.prepare('SELECT at, level, text FROM run_log WHERE run_id = ? ORDER BY id DESC LIMIT ?').all(id, LOG_TAIL) as RunLogLine[]).reverse();
    return { ...this.get(id), metrics, log };
  }

  update(
    id: string,
    change: {
      status?: RunStatus;
      engine?: string;
      engineReason?: string;
      step?: number;
      lastLoss?: number;
      checkpoints?: RunCheckpoint[];
      endedAt?: number | null;
      error?: string | null;
    },
  ): RunSummary {
    const columns: Record<string, unknown> = {
      status: change.status,
      engine: change.engine,
      engine_reason: change.engineReason,
      step: change.step,
      last_loss: change.lastLoss,
      checkpoints: change.checkpoints && JSON.stringify(change.checkpoints),
      ended_at: change.endedAt,
      error: change.error,
    };
    const set = Object.entries(columns).filter(([, v]) => v !== undefined);
    if (set.length) this.db.prepare(`UPDATE runs SET ${set.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, v]) => v), id);
    return this.get(id);
  }

  updateSettings(id: string, settings: RunSettings): void {
    this.db.prepare('UPDATE runs SET settings = ? WHERE id = ?').run(JSON.stringify(settings), id);
  }

  /** Metrics for a step merge with what is already stored for it (train, then val). */
  addMetric(id: string, step: number, values: Partial<RunMetric>): RunMetric {
    const existing = this.db.prepare('SELECT data FROM run_metrics WHERE run_id = ? AND step = ?').get(id, step) as { data: string } | undefined;
    const metric = { ...(existing ? (JSON.parse(existing.data) as RunMetric) : {}), ...values, step, at: Date.now() } as RunMetric;
    this.db
      .prepare('INSERT INTO run_metrics (run_id, step, data) VALUES (?, ?, ?) ON CONFLICT (run_id, step) DO UPDATE SET data = excluded.data')
      .run(id, step, JSON.stringify(metric));
    return metric;
  }

  /** Forget metrics after a step (a resume from an earlier checkpoint redoes them). */
  dropMetricsAfter(id: string, step: number): void {
    this.db.prepare('DELETE FROM run_metrics WHERE run_id = ? AND step > ?').run(id, step);
  }

  addLog(id: string, level: RunLogLine['level'], text: string): RunLogLine {
    const line = { at: Date.now(), level, text };
    this.db.prepare('INSERT INTO run_log (run_id, at, level, text) VALUES (?, ?, ?, ?)').run(id, line.at, level, text);
    return line;
  }

  savePredictions(id: string, step: number, predictions: RunPrediction[]): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO run_predictions (run_id, step, sample_id, turn, question, expected, predicted, correct, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const p of predictions) insert.run(id, step, p.sampleId, p.turn, p.question, p.expected, p.predicted, p.correct ? 1 : 0, p.error ?? null);
    })();
  }

  predictions(id: string, options: { step?: number; correct?: boolean }): RunPredictions {
    const steps = (this.db.prepare('SELECT DISTINCT step FROM run_predictions WHERE run_id = ? ORDER BY step').all(id) as { step: number }[]).map(
      (r) => r.step,
    );
    const step = options.step ?? steps.at(-1) ?? null;
    if (step === null) return { step: null, steps, accuracy: null, n: 0, items: [] };
    const rows = this.db.prepare('SELECT * FROM run_predictions WHERE run_id = ? AND step = ? ORDER BY sample_id, turn').all(id, step) as {
      sample_id: string;
      turn: number;
      question: string;
      expected: string;
      predicted: string;
      correct: number;
      error: string | null;
    }[];
    const all = rows.map((r) => ({
      sampleId: r.sample_id,
      turn: r.turn,
      question: r.question,
      expected: r.expected,
      predicted: r.predicted,
      correct: r.correct === 1,
      ...(r.error ? { error: r.error } : {}),
    }));
    const right = all.filter((p) => p.correct).length;
    const items = options.correct === undefined ? all : all.filter((p) => p.correct === options.correct);
    return { step, steps, accuracy: all.length ? right / all.length : null, n: all.length, items };
  }

  /** Runs left "running" by a studio that is gone were interrupted. */
  markInterrupted(): number {
    return this.db
      .prepare(
        "UPDATE runs SET status = 'interrupted', ended_at = ?, error = 'the studio stopped while this run was training; resume it to continue' WHERE status = 'running'",
      )
      .run(Date.now()).changes;
  }
}
