// The core's side of a trainer subprocess: fork it through tsx, send the run, receive messages.
// Its stdout/stderr lines are handed to `onOutput` (when given) so that a crash's last words reach
// the run's log.
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TrainerCommand, TrainerMessage, TrainingRunConfig } from '../../shared/training';

export interface TrainerHandle {
  child: ChildProcess;
  stop(): void;
  /** resolves with the exit code (null when killed by a signal) and the signal */
  exited: Promise<number | null>;
  signal(): NodeJS.Signals | null;
}

const ENTRY = fileURLToPath(new URL('./trainer-process.ts', import.meta.url));

export function startTrainerProcess(
  config: TrainingRunConfig,
  onMessage: (message: TrainerMessage) => void,
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void,
): TrainerHandle {
  const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', onOutput ? 'pipe' : 'inherit', onOutput ? 'pipe' : 'inherit', 'ipc'] });
  if (onOutput) {
    createInterface({ input: child.stdout! }).on('line', (line) => onOutput(line, 'stdout'));
    createInterface({ input: child.stderr! }).on('line', (line) => onOutput(line, 'stderr'));
  }
  child.on('message', (m) => onMessage(m as TrainerMessage));
  let exitSignal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exitSignal = signal;
      resolve(code);
    }),
  );
  const send = (command: TrainerCommand) => child.connected && child.send(command);
  send({ type: 'start', config });
  return { child, stop: () => send({ type: 'stop' }), exited, signal: () => exitSignal };
}
