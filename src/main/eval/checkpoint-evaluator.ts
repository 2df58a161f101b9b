// Evaluation of a run's checkpoints on its val split: the checkpoint is exported to ONNX with
// logits at every position (into the run's own scratch cache, removed afterwards); the val loss is
// nanoVLM's objective on the held-out answers, and every held-out question is asked greedily. When
// checkpoints come faster than evaluations finish, only the newest waiting one is evaluated.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunPrediction } from '../../shared/runs';
import type { JobManager } from '../core/jobs';
import { evaluateAnswers, type EvalResult, type EvalSample } from './evaluate';
import { validationLoss } from './val-loss';
import { NanoVLMTokenizer } from '../model/tokenizer';
import { ensureExport } from '../onnx/export-cache';
import { VlmEngine } from '../runtime/vlm-engine';

export interface EvaluationRequest {
  runId: string;
  runName: string;
  step: number;
  checkpointDir: string;
  tokenizerFolder: string;
  scratchDir: string;
  samples: EvalSample[];
}

export interface CheckpointEvaluation extends EvalResult {
  predictions: RunPrediction[];
  valLoss: number;
}

export class CheckpointEvaluator {
  private running = new Map<string, Promise<void>>();
  private waiting = new Map<string, EvaluationRequest>();

  constructor(
    private readonly jobs: JobManager,
    private readonly onResult: (request: EvaluationRequest, result: CheckpointEvaluation) => void,
    private readonly onError: (request: EvaluationRequest, error: Error) => void,
  ) {}

  request(r: EvaluationRequest): void {
    if (r.samples.length === 0) return;
    this.waiting.set(r.runId, r);
    if (!this.running.has(r.runId)) this.running.set(r.runId, this.drain(r.runId));
  }

  /** Resolves when nothing is left to evaluate for the run. */
  async idle(runId: string): Promise<void> {
    while (this.running.has(runId)) await this.running.get(runId);
  }

  private async drain(runId: string): Promise<void> {
    try {
      for (let next = this.waiting.get(runId); next; next = this.waiting.get(runId)) {
        this.waiting.delete(runId);
        await this.evaluate(next);
      }
    } finally {
      this.running.delete(runId);
    }
  }

  private async evaluate(r: EvaluationRequest): Promise<void> {
    const job = this.jobs.start('eval', `Evaluate ${r.runName} at step ${r.step}`, 'items', async ({ signal, progress }) => {
      const cacheDir = join(r.scratchDir, `eval-step-${r.step}`);
      try {
        const exported = await ensureExport(r.checkpointDir, { quant: 'none', allLogits: true }, { cacheDir, signal });
        const engine = await VlmEngine.load(exported.dir, { threads: 1 });
        try {
          const tokenizer = NanoVLMTokenizer.fromFolder(r.tokenizerFolder, engine.config);
          progress({ done: 0, total: r.samples.length, stage: 'val loss' });
          const { loss } = await validationLoss(engine, tokenizer, r.samples, signal);
          progress({ stage: 'answers' });
          const answers = await evaluateAnswers(engine, tokenizer, r.samples, { signal, onProgress: (done) => progress({ done }) });
          return { ...answers, valLoss: loss };
        } finally {
          await engine.dispose();
        }
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    });
    const ended = await this.jobs.settled(job.id);
    if (ended.status === 'done') this.onResult(r, ended.result as CheckpointEvaluation);
    else this.onError(r, new Error(ended.error ?? ended.status));
  }
}
