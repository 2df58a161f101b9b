// One studio process per data folder. The lock is a file holding the owner's pid, created with
// O_EXCL; a lock whose process is gone is stale and taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'studio.lock';

export class AlreadyRunningError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`Another nanoVLM Studio (pid ${pid}) is already using the data folder ${dataDir}. Close it first, or choose another folder with NANOVLM_STUDIO_HOME.`);
    this.name = 'AlreadyRunningError';
  }
}

export interface InstanceLock {
  path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireInstanceLock(dataDir: string): InstanceLock {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
      process.once('exit', release);
      return { path, release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && isAlive(pid)) throw new AlreadyRunningError(dataDir, pid);
      rmSync(path, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
