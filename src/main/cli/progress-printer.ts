// Shows a run's TrainerMessages as text: on a terminal one line that updates in place, otherwise
// (a log file, a pipe) a plain line every `logEvery` steps and at the last one. Other messages
// (engine, checkpoints, logs) are printed as they come.
import type { TrainerMessage } from '../../shared/training';
import { formatProgress, type ProgressState } from './progress-format';

export interface ProgressPrinterOptions {
  write: (text: string) => void;
  /** update one line in place (a terminal) */
  inPlace: boolean;
  logEvery: number;
}

const CLEAR_LINE = '\r\x1b[2K';

export class ProgressPrinter {
  private metrics: Extract<TrainerMessage, { type: 'metrics' }> | undefined;
  private startedAt = 0;
  private startStep = 0;
  private lineOpen = false;
  /** the last state shown, for a summary */
  last: ProgressState | undefined;

  constructor(private readonly options: ProgressPrinterOptions) {}

  handle(message: TrainerMessage): void {
    switch (message.type) {
      case 'started':
        this.startedAt = performance.now();
        this.startStep = message.startStep;
        this.print(
          `engine: ${message.engine} (${message.engineReason}); ${message.trainedParameters.toLocaleString('en-US')} of ${message.parameters.toLocaleString('en-US')} parameters trained${message.startStep ? `; resuming at step ${message.startStep}` : ''}`,
        );
        return;
      case 'metrics':
        this.metrics = message;
        return;
      case 'progress':
        this.showProgress(message);
        return;
      case 'checkpoint':
        this.print(`checkpoint: step ${message.step} → ${message.dir}`);
        return;
      case 'log':
        this.print(`${message.level}: ${message.text}`);
        return;
      case 'finished':
        this.print(`finished at step ${message.step}; last checkpoint ${message.checkpointDir}`);
        return;
      case 'failed':
        this.print(`failed: ${message.error}`);
    }
  }

  private showProgress(message: Extract<TrainerMessage, { type: 'progress' }>): void {
    if (!this.metrics) return;
    const state: ProgressState = {
      step: message.step,
      maxSteps: message.maxSteps,
      loss: this.metrics.loss,
      gradNorm: this.metrics.gradNorm,
      learningRates: this.metrics.learningRates,
      samplesPerSecond: message.samplesPerSecond,
      elapsedSeconds: (performance.now() - this.startedAt) / 1000,
      sessionSteps: message.step - this.startStep,
    };
    this.last = state;
    const line = formatProgress(state);
    if (this.options.inPlace) {
      this.options.write(`${CLEAR_LINE}${line}`);
      this.lineOpen = true;
    } else if (message.step % this.options.logEvery === 0 || message.step === message.maxSteps) {
      this.options.write(`${line}\n`);
    }
  }

  /** A whole line, after closing an in-place progress line. */
  print(text: string): void {
    if (this.lineOpen) this.options.write('\n');
    this.lineOpen = false;
    this.options.write(`${text}\n`);
  }
}
