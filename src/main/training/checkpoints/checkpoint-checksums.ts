// The sha256 of each file of a checkpoint, in checksums.sha256 (the `sha256sum` format, so
// `sha256sum -c` checks it by hand too), written with the checkpoint and checked before a run
// resumes from it: weights damaged on disk would otherwise train on silently, since safetensors
// carries no checksum of its own. A checkpoint written before checksums existed is taken as is.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write';
import { ApiError } from '../../../shared/errors';

export const CHECKSUM_FILE = 'checksums.sha256';

export class DamagedCheckpointError extends ApiError {
  constructor(
    readonly dir: string,
    readonly file: string,
  ) {
    super(
      'conflict',
      `the checkpoint ${dir} is damaged: ${file} no longer matches its checksum (${CHECKSUM_FILE}); resume from another checkpoint or start a new run`,
    );
    this.name = 'DamagedCheckpointError';
  }
}

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Writes checksums.sha256 for `files` of the folder (reads each file once). */
export async function writeChecksums(dir: string, files: string[]): Promise<void> {
  const lines: string[] = [];
  for (const file of files) lines.push(`${await sha256OfFile(join(dir, file))}  ${file}`);
  writeFileAtomic(join(dir, CHECKSUM_FILE), `${lines.join('\n')}\n`);
}

/** Throws DamagedCheckpointError when a file listed in checksums.sha256 is missing or differs. */
export async function verifyCheckpoint(dir: string): Promise<void> {
  const list = join(dir, CHECKSUM_FILE);
  if (!existsSync(list)) return;
  for (const line of readFileSync(list, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) continue;
    const path = join(dir, m[2]!);
    if (!existsSync(path) || (await sha256OfFile(path)) !== m[1]) throw new DamagedCheckpointError(dir, m[2]!);
  }
}
