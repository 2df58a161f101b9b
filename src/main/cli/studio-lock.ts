// The data folder for a command that writes it: one process at a time (data/instance-lock.ts).
// While the studio has it open, the command says what to do instead of only "already in use".
import { AlreadyRunningError, acquireInstanceLock, type InstanceLock } from '../data/instance-lock';

export function lockDataFolder(dataDir: string): InstanceLock {
  try {
    return acquireInstanceLock(dataDir);
  } catch (err) {
    if (!(err instanceof AlreadyRunningError)) throw err;
    throw new Error(
      `nanoVLM Studio (pid ${err.pid}) has the data folder ${dataDir} open, and one process at a time writes it. ` +
        'While the studio runs, import in it (Datasets → a dataset → Import: files from your computer, or a path on this machine); ' +
        'or close the studio and run this again, or point NANOVLM_STUDIO_HOME at another folder.',
    );
  }
}
