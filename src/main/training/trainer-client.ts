// The core's side of a trainer subprocess: fork it through tsx, send the run, receive messages.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrainerCommand, TrainerMessage, TrainingRunConfig } from '../../shared/training';

export interface TrainerHandle {
  child: ChildProcess;
  stop(): void;
  /** resolves with the exit code when the process ends */
  exited: Promise<number | null>;
}

const ENTRY = fileURLToPath(new URL('./trainer-process.ts', import.meta.url));

export function startTrainerProcess(config: TrainingRunConfig, onMessage: (message: TrainerMessage) => void): TrainerHandle {
  const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (m) => onMessage(m as TrainerMessage));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const send = (command: TrainerCommand) => child.connected && child.send(command);
  send({ type: 'start', config });
  return { child, stop: () => send({ type: 'stop' }), exited };
}
