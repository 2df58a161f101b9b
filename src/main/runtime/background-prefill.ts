// One engine's background prefill (prefill.ts runs it), kept out of the way of generation: it
// starts only when no generation is running (a request that arrived first is never delayed), a new
// prefill or cancel() aborts the one before, and a generation that arrives meanwhile either waits
// for it — when its prompt starts with the prefilled positions up to their last image row, which
// is then the shortest way to its first token — or aborts it. ONNX Runtime's Node binding runs a
// session synchronously on the JavaScript thread, so when a generation gets here no prefill run is
// in progress: an abort takes effect before the prefill's next stage, with no delay.
import type { PositionKey } from './prompt-cache';
import { isImageRow } from './prompt-cache';

export type PrefillOutcome = 'done' | 'cancelled';

interface Running {
  controller: AbortController;
  finished: Promise<PrefillOutcome>;
  /** the positions it fills, once known */
  keys?: readonly PositionKey[];
}

export class BackgroundPrefill {
  private generations = 0;
  private waitingForIdle: (() => void)[] = [];
  private running: Running | undefined;

  /** A prefill is started or in progress. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Run `work` in the background once no generation is running, aborting any prefill before it.
   * `work` names the positions it fills with `describe` as soon as it knows them. `signal` aborts
   * it too. Resolves when it has finished or stopped.
   */
  start(work: (signal: AbortSignal, describe: (keys: readonly PositionKey[]) => void) => Promise<void>, signal?: AbortSignal): Promise<PrefillOutcome> {
    this.cancel();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);
    const running: Running = { controller, finished: Promise.resolve('cancelled') };
    running.finished = (async (): Promise<PrefillOutcome> => {
      try {
        await this.idle();
        if (controller.signal.aborted) return 'cancelled';
        await work(controller.signal, (keys) => (running.keys = keys));
        return controller.signal.aborted ? 'cancelled' : 'done';
      } catch (err) {
        if (controller.signal.aborted) return 'cancelled';
        throw err;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (this.running === running) this.running = undefined;
      }
    })();
    this.running = running;
    return running.finished;
  }

  /** Abort the prefill in progress, if any. */
  cancel(): void {
    this.running?.controller.abort(new Error('prefill cancelled'));
    this.running = undefined;
  }

  /**
   * A generation of the prompt named by `keys` is about to run. Returns once it may, with the
   * function to call when it ends. A prefill it can use is awaited; any other is aborted.
   */
  async enterGeneration(keys: readonly PositionKey[] | undefined): Promise<() => void> {
    const running = this.running;
    if (running) {
      if (keys && running.keys && coversImageRows(running.keys, keys)) await running.finished.catch(() => undefined);
      else if (this.running === running) this.cancel();
    }
    this.generations++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.generations--;
      if (this.generations === 0) this.waitingForIdle.splice(0).forEach((resolve) => resolve());
    };
  }

  private idle(): Promise<void> {
    if (this.generations === 0) return Promise.resolve();
    return new Promise((resolve) => this.waitingForIdle.push(resolve));
  }
}

/** `prompt` starts with `prefilled` at least up to the prefill's last image row. */
function coversImageRows(prefilled: readonly PositionKey[], prompt: readonly PositionKey[]): boolean {
  let lastImageRow = -1;
  prefilled.forEach((key, i) => {
    if (isImageRow(key)) lastImageRow = i;
  });
  if (lastImageRow < 0 || prompt.length <= lastImageRow) return false;
  for (let i = 0; i <= lastImageRow; i++) if (prefilled[i] !== prompt[i]) return false;
  return true;
}
