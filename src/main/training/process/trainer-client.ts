// The core's side of a trainer subprocess: fork it through tsx, send the run, receive messages.
// Its stdout/stderr lines are handed to `onOutput` (when given) so that a crash's last words reach
// the run's log.
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TrainerCommand, TrainerMessage, TrainingRunConfig } from '../../../shared/training';

export interface TrainerHandle {
  child: ChildProcess;
  stop(): void;
  /** resolves with the exit code (null when killed by a signal) and the signal */
  exited: Promise<number | null>;
  signal(): NodeJS.Signals | null;
}

// From source, the entry is TypeScript run through tsx; in the Electron build it is bundled JS
// beside this module, run by Electron's own Node (ELECTRON_RUN_AS_NODE).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = fileURLToPath(new URL(FROM_SOURCE ? './trainer-process.ts' : './trainer-process.js', import.meta.url));

/**
 * glibc hands large buffers (a training step's outputs, hundreds of MB) fresh pages from mmap each
 * time, and the first touch of each page costs more than the copy into it (measured: 5× on this
 * project's machines). Taken from the heap instead, freed buffers are reused.
 */
export const TRAINER_MALLOC_ENV = { MALLOC_MMAP_MAX_: '0', MALLOC_TRIM_THRESHOLD_: String(2 ** 40) };

function forkOptions(piped: boolean) {
  return {
    execArgv: [...(FROM_SOURCE ? ['--import', 'tsx'] : []), '--expose-gc'],
    env: { ...process.env, ...TRAINER_MALLOC_ENV, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
    stdio: ['ignore', piped ? 'pipe' : 'inherit', piped ? 'pipe' : 'inherit', 'ipc'] as ('ignore' | 'pipe' | 'inherit' | 'ipc')[],
  };
}

export function startTrainerProcess(
  config: TrainingRunConfig,
  onMessage: (message: TrainerMessage) => void,
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void,
): TrainerHandle {
  const child = fork(ENTRY, [], forkOptions(Boolean(onOutput)));
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
