// Child process that takes a data folder's instance lock, says "locked", and waits to be killed:
// a studio as the lock sees it.
import { acquireInstanceLock } from '../../src/main/data/instance-lock';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: hold-lock-child <dataDir>');
acquireInstanceLock(dataDir);
process.stdout.write('locked\n');
setInterval(() => {}, 60_000);
