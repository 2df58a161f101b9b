// Files the studio makes for the person to take away through the browser door (an export, zipped),
// by an unguessable id. The web door serves one to a caller holding the token (GET
// /api/download/<id>); the file is deleted when its time is up or the studio closes, and whatever
// a studio that stopped left under <data folder>/downloads is cleared at start.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DownloadTicket } from '../../shared/jobs';
import { zipFolder } from './zip-archive';

export interface DownloadFile {
  path: string;
  fileName: string;
  bytes: number;
  contentType: string;
}

/** how long a prepared download stays */
const KEEP_MS = 60 * 60 * 1000;
export const DOWNLOAD_ID_PATTERN = /^[0-9a-f]{64}$/;

export class Downloads {
  private readonly files = new Map<string, DownloadFile & { timer: ReturnType<typeof setTimeout> }>();
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'downloads');
    rmSync(this.root, { recursive: true, force: true });
  }

  /**
   * Lets `fill` write a folder named `name`, zips it (as `name/` inside `name.zip`) and offers the
   * zip; the folder itself is removed. Returns what `fill` returned and the ticket.
   */
  async zipped<T>(name: string, fill: (dir: string) => Promise<T>, signal?: AbortSignal): Promise<{ result: T; download: DownloadTicket }> {
    const work = join(this.root, randomUUID());
    const folder = join(work, name);
    mkdirSync(folder, { recursive: true });
    try {
      const result = await fill(folder);
      const zip = join(this.root, `${randomUUID()}.zip`);
      await zipFolder(folder, zip, { prefix: name, signal });
      return { result, download: this.offer(zip, `${name}.zip`) };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Offers a file (the registry owns it from now on and deletes it when it expires). */
  offer(path: string, fileName: string, contentType = 'application/zip'): DownloadTicket {
    const id = randomBytes(32).toString('hex');
    const bytes = statSync(path).size;
    const timer = setTimeout(() => this.drop(id), KEEP_MS);
    timer.unref();
    this.files.set(id, { path, fileName, bytes, contentType, timer });
    return { id, fileName, bytes };
  }

  get(id: string): DownloadFile | undefined {
    if (!DOWNLOAD_ID_PATTERN.test(id)) return undefined;
    const file = this.files.get(id);
    return file && { path: file.path, fileName: file.fileName, bytes: file.bytes, contentType: file.contentType };
  }

  closeAll(): void {
    for (const id of [...this.files.keys()]) this.drop(id);
  }

  private drop(id: string): void {
    const file = this.files.get(id);
    if (!file) return;
    clearTimeout(file.timer);
    this.files.delete(id);
    rmSync(file.path, { force: true });
  }
}
