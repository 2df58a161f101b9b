// The trainer subprocess's entry: started by the core with child_process.fork (through tsx),
// it waits for a 'start' command, runs the training and reports in TrainerMessages; a 'stop'
// command ends it after the current step. Any error becomes one 'failed' message and a non-zero
// exit, so a crash marks the run failed without taking the app down.
import type { TrainerCommand, TrainerMessage } from '../../../shared/training';
import { runTraining } from './training-run';

function send(message: TrainerMessage): void {
  process.send?.(message);
}

const stop = new AbortController();
let running = false;

process.on('message', (command: TrainerCommand) => {
  if (command.type === 'stop') {
    stop.abort();
    if (!running) process.exit(0);
    return;
  }
  if (command.type === 'start' && !running) {
    running = true;
    runTraining(command.config, send, stop.signal)
      .then(() => process.disconnect?.())
      .catch((err: unknown) => {
        send({ type: 'failed', error: (err as Error).message ?? String(err) });
        process.exitCode = 1;
        process.disconnect?.();
      });
  }
});
