// Starts, follows, cancels and resumes training runs. Each run is a trainer subprocess; its
// messages become rows (metrics, checkpoints, log) and events for the renderer. A trainer that
// dies is marked failed with its last words; the studio goes on.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../shared/api';
import { PRESET_LEARNING_RATES, type EnqueueResult, type QueuedRun, type RunCheckpoint, type RunSettings, type RunSummary } from '../../shared/runs';
import { DEFAULT_OPTIMIZER, DEFAULT_WARMUP_FRACTION, type TrainerMessage, type TrainingRunConfig } from '../../shared/training';
import type { EventBus } from '../core/event-bus';
import type { DatasetStore } from '../data/dataset-store';
import type { ModelInfo } from '../../shared/models';
import type { ModelRegistry } from '../registry/model-registry';
import { startTrainerProcess, type TrainerHandle } from '../training/process/trainer-client';
import { versionEvalSamples } from '../eval/eval-samples';
import type { JobManager } from '../core/jobs';
import { verifyCheckpoint } from '../training/checkpoints/checkpoint-checksums';
import { CheckpointEvaluator, type CheckpointEvaluation, type EvaluationRequest } from '../eval/checkpoint-evaluator';
import { writeVersionSplit } from './run-data';
import { checkSameArchitecture, handoffRunId, stepOfFolder } from '../handoff/bring-back';
import { exportRun } from '../handoff/export-run';
import { checkExpressible, HandoffError } from '../handoff/run-json';
import { openCheckpoint } from '../model/checkpoint';
import type { Job } from '../../shared/jobs';
import type { RunQueue } from './run-queue';
import type { RunStore } from './run-store';
import { removePartialCheckpoints } from '../training/checkpoints/checkpoint-writer';

const STOP_GRACE_MS = 10_000;
const LAST_WORDS = 20;

export interface RunManagerDeps {
  dataDir: string;
  runs: RunStore;
  queue: RunQueue;
  datasets: DatasetStore;
  models: ModelRegistry;
  events: EventBus;
  jobs: JobManager;
}

interface LiveRun {
  handle: TrainerHandle;
  lastWords: string[];
  /** the step the trainer said it finished at, when it did */
  finishedAt?: number;
  failed?: string;
  cancelled: boolean;
}

export class RunManager {
  private readonly live = new Map<string, LiveRun>();
  private readonly evaluator: CheckpointEvaluator;

  private closing = false;

  constructor(private readonly deps: RunManagerDeps) {
    deps.runs.markInterrupted();
    // no trainer runs yet: what a killed one left half-written goes
    for (const run of deps.runs.list()) removePartialCheckpoints(join(run.folder, 'checkpoints'));
    this.evaluator = new CheckpointEvaluator(
      deps.jobs,
      (r, result) => this.onEvaluated(r, result),
      (r, err) => this.log(r.runId, 'warn', `evaluation at step ${r.step} failed: ${err.message}`),
    );
  }

  /** Start a run with settings as the door parsed them (defaults filled in). */
  start(requested: RunSettings): RunSummary {
    const settings = { ...requested };
    const base = this.deps.models.get(settings.baseModelId);
    const dataset = this.deps.datasets.getDataset(settings.datasetId);
    const version = this.freezeVersion(dataset.name, settings);
    const learningRates = { ...PRESET_LEARNING_RATES[settings.preset], ...settings.learningRates };
    const run = this.deps.runs.create({
      name: settings.name ?? `${base.name} on ${dataset.name}`,
      datasetId: dataset.id,
      datasetVersionId: version.id,
      baseModelId: base.id,
      settings,
      learningRates,
      folder: (id) => join(this.deps.dataDir, 'runs', id),
    });
    const trainCount = writeVersionSplit(this.deps.datasets, version.id, 'train', join(run.folder, 'data', 'train.jsonl'));
    if (trainCount === 0) {
      this.deps.runs.update(run.id, {
        status: 'failed',
        endedAt: Date.now(),
        error: `dataset version ${version.id} has no answered samples in its train split`,
      });
      throw new ApiError('invalid_input', `"${dataset.name}" has no answered samples in its train split to train on`, 'datasetId');
    }
    if (settings.epochs) {
      settings.maxSteps = Math.max(1, Math.ceil((trainCount * settings.epochs) / (settings.batchSize * settings.gradientAccumulationSteps)));
      this.deps.runs.updateSettings(run.id, settings);
      this.log(run.id, 'info', `${settings.epochs} epoch(s) of ${trainCount} samples = ${settings.maxSteps} optimiser steps`);
    }
    const valCount = versionEvalSamples(this.deps.datasets, version.id, 'val').length;
    const evaluated = Math.min(valCount, settings.evalSamples);
    this.log(
      run.id,
      'info',
      `dataset version ${version.id} (${version.contentHash.slice(0, 12)}): ${trainCount} training samples, ${valCount} val samples${valCount ? ` (${evaluated} evaluated at each checkpoint)` : ' (no evaluation: put samples in the val split to measure accuracy)'}`,
    );
    this.launch(run, settings);
    return this.deps.runs.get(run.id);
  }

  /**
   * Start now when nothing trains, else queue the run to start when the runs training now have
   * ended (the queue outlives a restart; after one it moves on when the next run ends).
   */
  enqueue(settings: RunSettings): EnqueueResult {
    if (this.live.size === 0) return { started: this.start(settings) };
    const base = this.deps.models.get(settings.baseModelId);
    const dataset = this.deps.datasets.getDataset(settings.datasetId);
    const queued = this.deps.queue.add(settings.name ?? `${base.name} on ${dataset.name}`, settings);
    this.publishQueue();
    return { queued };
  }

  queued(): QueuedRun[] {
    return this.deps.queue.list();
  }

  dequeue(id: string): QueuedRun[] {
    if (!this.deps.queue.remove(id)) throw new ApiError('not_found', `no queued run ${id} (it may have started already)`, 'id');
    this.publishQueue();
    return this.queued();
  }

  /** A run ended and nothing else trains: the next queued run starts (one that cannot start is said and skipped). */
  private startNextQueued(): void {
    while (this.live.size === 0) {
      const next = this.deps.queue.takeNext();
      if (!next) break;
      try {
        this.start({ ...next.settings, name: next.settings.name ?? next.name });
      } catch (err) {
        this.deps.events.publish('studio.notice', { level: 'error', message: `The queued run "${next.name}" could not start: ${(err as Error).message}` });
      }
    }
    this.publishQueue();
  }

  private publishQueue(): void {
    this.deps.events.publish('run.queue', this.queued());
  }

  /** The dataset version a run trains on: every answered sample, or those of the statuses asked for. */
  private freezeVersion(datasetName: string, settings: RunSettings) {
    const statuses = settings.statuses;
    try {
      return this.deps.datasets.createVersion(settings.datasetId, { note: 'taken at launch of a training run', ...(statuses ? { statuses } : {}) });
    } catch (err) {
      if (!statuses || !/no trainable samples/.test((err as Error).message)) throw err;
      throw new ApiError('invalid_input', `"${datasetName}" has no answered samples marked ${statuses.join(' or ')} to train on`, 'statuses');
    }
  }

  /** A kept checkpoint as a model to chat with (registered once, on first use). */
  checkpointModel(id: string, step: number): ModelInfo {
    const run = this.deps.runs.get(id);
    const checkpoint = run.checkpoints.find((c) => c.step === step);
    if (!checkpoint) throw new ApiError('not_found', `run "${run.name}" keeps no checkpoint at step ${step}`, 'step');
    const known = checkpoint.modelId ? this.deps.models.list().find((m) => m.id === checkpoint.modelId) : undefined;
    if (known) return known;
    const base = this.deps.models.get(run.baseModelId);
    const model = this.deps.models.register({
      source: 'run',
      reference: checkpoint.dir,
      folder: checkpoint.dir,
      tokenizerFolder: base.tokenizerFolder,
      name: `${run.name} · step ${step}`,
    });
    this.deps.runs.update(id, { checkpoints: this.deps.runs.get(id).checkpoints.map((c) => (c.step === step ? { ...c, modelId: model.id } : c)) });
    this.publish(id);
    return model;
  }

  /** Continue an interrupted, failed or cancelled run from its last checkpoint (checked against its checksums first). */
  async resume(id: string): Promise<RunSummary> {
    const run = this.deps.runs.get(id);
    if (this.live.has(id)) throw new ApiError('conflict', `run ${id} is already training`, 'id');
    const last = run.checkpoints.at(-1);
    if (!last) throw new ApiError('conflict', `run "${run.name}" has no checkpoint to resume from; start a new run instead`, 'id');
    if (run.status === 'finished' && last.step >= run.settings.maxSteps)
      throw new ApiError('conflict', `run "${run.name}" already finished all its steps`, 'id');
    await verifyCheckpoint(last.dir);
    if (this.live.has(id)) throw new ApiError('conflict', `run ${id} is already training`, 'id');
    this.deps.runs.dropMetricsAfter(id, last.step);
    this.deps.runs.update(id, { status: 'running', step: last.step, endedAt: null, error: null });
    this.log(id, 'info', `resuming from step ${last.step}`);
    this.launch(this.deps.runs.get(id), run.settings, last.dir);
    return this.deps.runs.get(id);
  }

  /** Hand the run (its frozen dataset version, base model and settings) to nanoVLM's own trainer, as a job. */
  handOff(id: string, outDir: string, processes: number): Job {
    const run = this.deps.runs.get(id);
    const base = this.deps.models.get(run.baseModelId);
    const checkpoint = openCheckpoint(base.folder);
    try {
      asInputError(() => checkExpressible({ family: checkpoint.family, config: checkpoint.config }, `the base model "${base.name}"`));
    } finally {
      checkpoint.close();
    }
    const version = this.deps.datasets.versions.require(run.datasetVersionId);
    const dataset = this.deps.datasets.getDataset(run.datasetId);
    const s = run.settings;
    return this.deps.jobs.start('export', `Train elsewhere: ${run.name}`, 'items', async ({ signal, progress }) => {
      const report = await exportRun({
        store: this.deps.datasets,
        versionId: version.id,
        datasetLabel: `"${dataset.name}" version ${version.id} (${version.contentHash.slice(0, 12)})`,
        base: { folder: base.folder, tokenizerFolder: base.tokenizerFolder, name: base.name },
        settings: {
          learningRates: run.learningRates,
          batchSize: s.batchSize,
          gradientAccumulationSteps: s.gradientAccumulationSteps,
          maxSteps: s.maxSteps,
          maxGradNorm: s.maxGradNorm,
          checkpointEvery: s.checkpointEvery,
          seed: s.seed,
          processes,
          ...(s.schedule ? { schedule: s.schedule } : {}),
          ...(s.warmupFraction !== undefined ? { warmupFraction: s.warmupFraction } : {}),
        },
        outDir,
        runName: run.name,
        runId: run.id,
        signal,
        onProgress: (done, total, stage) => progress({ done, total, stage }),
      });
      this.log(
        id,
        'info',
        `handed to nanoVLM's trainer for ${processes} process(es): ${outDir} (${report.trainRows} training rows, ${report.valRows} val rows)`,
      );
      return report;
    });
  }

  /**
   * A folder nanoVLM's trainer wrote (save_pretrained) becomes a checkpoint and a model of the run it
   * was handed from, scored on the run's val split like the run's own checkpoints.
   */
  importCheckpoint(folder: string, runId?: string, step?: number): RunSummary {
    const id = runId ?? handoffRunId(folder);
    if (!id) throw new ApiError('invalid_input', `${folder}: no studio.json of a hand-off above it; say which run it belongs to`, 'runId');
    const run = this.deps.runs.get(id);
    const base = this.deps.models.get(run.baseModelId);
    asInputError(() => checkSameArchitecture(folder, base.folder));
    const at = step ?? stepOfFolder(folder);
    if (at === undefined)
      throw new ApiError('invalid_input', `${folder}: the folder is not named step_<N> as nanoVLM names its checkpoints; give the step`, 'step');
    const clash = run.checkpoints.find((c) => c.step === at && c.dir !== folder);
    if (clash) throw new ApiError('conflict', `run "${run.name}" already has a checkpoint at step ${at} (${clash.dir})`, 'step');
    const model = this.deps.models.register({
      source: 'run',
      reference: folder,
      folder,
      tokenizerFolder: base.tokenizerFolder,
      name: `${run.name} · nanoVLM step ${at}`,
    });
    const checkpoint: RunCheckpoint = { step: at, dir: folder, modelId: model.id, origin: 'nanovlm' };
    this.deps.runs.update(id, { checkpoints: [...run.checkpoints.filter((c) => c.step !== at), checkpoint].sort((a, b) => a.step - b.step) });
    this.log(id, 'info', `checkpoint from nanoVLM's trainer at step ${at} added (${folder})`);
    this.requestEvaluation(id, at, folder);
    this.publish(id);
    return this.deps.runs.get(id);
  }

  /** Ask the trainer to stop after its current step; kill it if it does not within seconds. */
  cancel(id: string): RunSummary {
    const live = this.live.get(id);
    if (!live) throw new ApiError('conflict', `run ${id} is not training`, 'id');
    live.cancelled = true;
    live.handle.stop();
    const timer = setTimeout(() => live.handle.child.kill('SIGKILL'), STOP_GRACE_MS);
    void live.handle.exited.then(() => clearTimeout(timer));
    this.log(id, 'info', 'cancel requested: stopping after the current step');
    return this.deps.runs.get(id);
  }

  /** Resolves when the run's trainer process has ended and its evaluations are done. */
  async settled(id: string): Promise<RunSummary> {
    await this.live.get(id)?.handle.exited;
    await new Promise((r) => setImmediate(r));
    await this.evaluator.idle(id);
    return this.deps.runs.get(id);
  }

  /** The studio is closing: trainers are killed, and nothing more is written or started (runs left running are marked interrupted at the next start). */
  shutdown(): void {
    this.closing = true;
    for (const live of this.live.values()) live.handle.child.kill('SIGKILL');
  }

  private launch(run: RunSummary, settings: RunSettings, resumeFrom?: string): void {
    const base = this.deps.models.get(run.baseModelId);
    const config: TrainingRunConfig = {
      baseModelDir: base.folder,
      tokenizerDir: base.tokenizerFolder,
      datasetPath: join(run.folder, 'data', 'train.jsonl'),
      outputDir: join(run.folder, 'checkpoints'),
      optimizer: { ...DEFAULT_OPTIMIZER, learningRates: run.learningRates, maxGradNorm: settings.maxGradNorm },
      maxSteps: settings.maxSteps,
      // runs started before the choice existed have neither: nanoVLM's cosine and warmup
      schedule: settings.schedule ?? 'cosine',
      warmupFraction: settings.warmupFraction ?? DEFAULT_WARMUP_FRACTION,
      batchSize: settings.batchSize,
      gradientAccumulationSteps: settings.gradientAccumulationSteps,
      seed: settings.seed,
      checkpointEvery: settings.checkpointEvery,
      ...(settings.engine ? { engine: settings.engine } : {}),
      cacheDir: join(this.deps.dataDir, 'cache'),
      ...(resumeFrom ? { resumeFrom } : {}),
    };
    const live: LiveRun = { lastWords: [], cancelled: false, handle: undefined as unknown as TrainerHandle };
    live.handle = startTrainerProcess(
      config,
      (message) => this.onMessage(run.id, live, message),
      (line) => {
        live.lastWords.push(line);
        if (live.lastWords.length > LAST_WORDS) live.lastWords.shift();
      },
    );
    this.live.set(run.id, live);
    this.publish(run.id);
    void live.handle.exited.then((code) => this.onExit(run.id, live, code));
  }

  private onMessage(id: string, live: LiveRun, message: TrainerMessage): void {
    const runs = this.deps.runs;
    switch (message.type) {
      case 'started':
        runs.update(id, { engine: message.engine, engineReason: message.engineReason });
        this.log(
          id,
          'info',
          `engine ${message.engine}: ${message.engineReason}; training ${message.trainedParameters.toLocaleString('en')} of ${message.parameters.toLocaleString('en')} parameters from step ${message.startStep}`,
        );
        return this.publish(id);
      case 'metrics': {
        const metric = runs.addMetric(id, message.step, { loss: message.loss, gradNorm: message.gradNorm, learningRates: message.learningRates });
        runs.update(id, { step: message.step, lastLoss: message.loss });
        this.deps.events.publish('run.metrics', { runId: id, metric });
        return;
      }
      case 'progress': {
        const metric = runs.addMetric(id, message.step, { samplesPerSecond: message.samplesPerSecond });
        this.deps.events.publish('run.metrics', { runId: id, metric });
        return this.publish(id);
      }
      case 'checkpoint':
        this.addCheckpoint(id, { step: message.step, dir: message.dir });
        this.log(id, 'info', `checkpoint at step ${message.step}`);
        this.requestEvaluation(id, message.step, message.dir);
        return this.publish(id);
      case 'log':
        this.log(id, message.level, message.text);
        return;
      case 'finished':
        live.finishedAt = message.step;
        runs.update(id, { step: message.step });
        // a run stopped early gets no model of its own: resumed, it would leave a stale one behind;
        // any kept checkpoint becomes a model when the person chats with it (checkpointModel)
        if (message.step >= runs.get(id).settings.maxSteps) this.registerFinalCheckpoint(id);
        return;
      case 'failed':
        live.failed = message.error;
        this.log(id, 'error', message.error);
        return;
    }
  }

  private onExit(id: string, live: LiveRun, code: number | null): void {
    this.live.delete(id);
    if (this.closing) return; // the database is closing with the studio
    const run = this.deps.runs.get(id);
    const ended = { endedAt: Date.now() };
    if (live.finishedAt !== undefined && !live.failed) {
      const done = live.finishedAt >= run.settings.maxSteps;
      this.deps.runs.update(id, { ...ended, status: done ? 'finished' : 'cancelled' });
      this.log(id, 'info', done ? 'finished' : `cancelled at step ${run.step}; the last checkpoint is kept`);
    } else {
      const how = live.handle.signal() ? `was killed (${live.handle.signal()})` : `exited with code ${code}`;
      const error = live.failed ?? `the trainer process ${how}`;
      const words = live.lastWords.length ? `\nlast output:\n${live.lastWords.join('\n')}` : '';
      this.deps.runs.update(id, { ...ended, status: live.cancelled && !live.failed ? 'cancelled' : 'failed', error: `${error}${words}` });
      this.log(id, 'error', `${error}${words}`);
    }
    this.publish(id);
    if (this.live.size === 0) this.startNextQueued();
  }

  /** Keep the newest K checkpoints and the best by val accuracy; ones that became models stay too. */
  private addCheckpoint(id: string, checkpoint: RunCheckpoint): void {
    const run = this.deps.runs.get(id);
    const all = [...run.checkpoints.filter((c) => c.step !== checkpoint.step), checkpoint].sort((a, b) => a.step - b.step);
    const best = all.filter((c) => c.valAccuracy !== undefined).sort((a, b) => b.valAccuracy! - a.valAccuracy! || b.step - a.step)[0];
    const kept = (c: RunCheckpoint) => all.slice(-run.settings.keepCheckpoints).includes(c) || c === best || Boolean(c.modelId);
    for (const old of all.filter((c) => !kept(c))) rmSync(old.dir, { recursive: true, force: true });
    this.deps.runs.update(id, { checkpoints: all.filter(kept) });
  }

  private requestEvaluation(id: string, step: number, dir: string): void {
    const run = this.deps.runs.get(id);
    if (run.settings.evalSamples === 0) return;
    const samples = versionEvalSamples(this.deps.datasets, run.datasetVersionId, 'val').slice(0, run.settings.evalSamples);
    const base = this.deps.models.get(run.baseModelId);
    this.evaluator.request({
      runId: id,
      runName: run.name,
      step,
      checkpointDir: dir,
      tokenizerFolder: base.tokenizerFolder,
      scratchDir: join(run.folder, 'scratch'),
      samples,
    });
  }

  private onEvaluated(r: EvaluationRequest, result: CheckpointEvaluation): void {
    const runs = this.deps.runs;
    runs.savePredictions(r.runId, r.step, result.predictions);
    const metric = runs.addMetric(r.runId, r.step, { valAccuracy: result.accuracy, ...(Number.isFinite(result.valLoss) ? { valLoss: result.valLoss } : {}) });
    const run = runs.get(r.runId);
    runs.update(r.runId, { checkpoints: run.checkpoints.map((c) => (c.step === r.step ? { ...c, valAccuracy: result.accuracy } : c)) });
    this.deps.events.publish('run.metrics', { runId: r.runId, metric });
    this.log(
      r.runId,
      'info',
      `step ${r.step}: val loss ${result.valLoss.toFixed(4)}, val accuracy ${(result.accuracy * 100).toFixed(1)}% over ${result.n} questions`,
    );
    this.publish(r.runId);
  }

  /** The run's last checkpoint becomes a model the chat can use. */
  private registerFinalCheckpoint(id: string): void {
    const run = this.deps.runs.get(id);
    const last = run.checkpoints.at(-1);
    if (!last || last.modelId) return;
    try {
      const base = this.deps.models.get(run.baseModelId);
      const model = this.deps.models.register({
        source: 'run',
        reference: last.dir,
        folder: last.dir,
        tokenizerFolder: base.tokenizerFolder,
        name: `${run.name} · step ${last.step}`,
      });
      this.deps.runs.update(id, { checkpoints: run.checkpoints.map((c) => (c === last || c.step === last.step ? { ...c, modelId: model.id } : c)) });
    } catch (err) {
      this.log(id, 'error', `the final checkpoint could not be registered as a model: ${(err as Error).message}`);
    }
  }

  private log(id: string, level: 'info' | 'warn' | 'error', text: string): void {
    const line = this.deps.runs.addLog(id, level, text);
    this.deps.events.publish('run.log', { runId: id, line });
  }

  private publish(id: string): void {
    this.deps.events.publish('run.updated', this.deps.runs.get(id));
  }
}

/** A hand-off's refusal is the caller's input at fault: an API input error naming the field. */
function asInputError(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof HandoffError) throw new ApiError('invalid_input', err.message, err.field);
    throw err;
  }
}
