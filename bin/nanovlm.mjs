#!/usr/bin/env node
// The `nanovlm` command line: runs the TypeScript core directly through tsx's loader. Training
// commands run in a process whose large buffers come from the heap (TRAINER_MALLOC_ENV): without
// it, every step's outputs cost fresh pages.
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';

const TRAINING_COMMANDS = new Set(['train', 'check-step']);

register();
const args = process.argv.slice(2);
const { TRAINER_MALLOC_ENV } = await import('../src/main/training/process/trainer-client.ts');
if (TRAINING_COMMANDS.has(args[0]) && process.platform === 'linux' && process.env.MALLOC_MMAP_MAX_ === undefined) {
  const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1], ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...TRAINER_MALLOC_ENV },
  });
  process.exit(child.status ?? 1);
}
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(args);
