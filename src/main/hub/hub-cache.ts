// The huggingface_hub cache layout, shared with Python tools both ways:
//   {cache}/models--{owner}--{name}/blobs/{etag}                 the file contents, once
//   {cache}/models--{owner}--{name}/blobs/{etag}.incomplete      a download in progress (resumable)
//   {cache}/models--{owner}--{name}/snapshots/{commit}/{path}    → symlink to ../../blobs/{etag}
//   {cache}/models--{owner}--{name}/refs/{revision}              the commit a branch or tag points to
//   {cache}/models--{owner}--{name}/.no_exist/{commit}/{path}    empty marker: the file is absent upstream
// The cache folder: HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
// ~/.cache/huggingface/hub.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export const COMMIT_HASH = /^[0-9a-f]{40}$/;

/** huggingface_hub's home: HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return env.HF_HOME;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface');
}

export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HF_HUB_CACHE || join(hfHome(env), 'hub');
}

/** `owner/name` → `models--owner--name` */
export function repoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

/** The cache entry of one model repo. */
export class RepoCache {
  readonly dir: string;

  constructor(
    cacheDir: string,
    readonly repoId: string,
  ) {
    this.dir = join(cacheDir, repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return join(this.dir, 'blobs', etag);
  }

  incompletePath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }

  snapshotPath(commit: string, file: string): string {
    return join(this.dir, 'snapshots', commit, ...file.split('/'));
  }

  snapshotDir(commit: string): string {
    return join(this.dir, 'snapshots', commit);
  }

  /** The commit of a revision: itself when it is a commit hash, else what refs/{revision} records. */
  commitOf(revision: string): string | undefined {
    if (COMMIT_HASH.test(revision)) return revision;
    const ref = join(this.dir, 'refs', ...revision.split('/'));
    if (!existsSync(ref)) return undefined;
    const commit = readFileSync(ref, 'utf8').trim();
    return COMMIT_HASH.test(commit) ? commit : undefined;
  }

  writeRef(revision: string, commit: string): void {
    if (revision === commit) return;
    const ref = join(this.dir, 'refs', ...revision.split('/'));
    if (existsSync(ref) && readFileSync(ref, 'utf8').trim() === commit) return;
    mkdirSync(dirname(ref), { recursive: true });
    writeFileSync(ref, commit);
  }

  /** The snapshot file of a revision when it is cached (the symlink and its blob both exist). */
  cachedFile(revision: string, file: string): string | undefined {
    const commit = this.commitOf(revision);
    if (commit === undefined) return undefined;
    const path = this.snapshotPath(commit, file);
    return existsSync(path) ? path : undefined;
  }

  /** Whether the cache records the file as absent upstream at this revision. */
  knownMissing(revision: string, file: string): boolean {
    const commit = this.commitOf(revision);
    return commit !== undefined && existsSync(join(this.dir, '.no_exist', commit, ...file.split('/')));
  }

  markMissing(commit: string, file: string): void {
    const marker = join(this.dir, '.no_exist', commit, ...file.split('/'));
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, '');
  }

  /** Move a finished download into blobs/. */
  completeBlob(etag: string): void {
    renameSync(this.incompletePath(etag), this.blobPath(etag));
  }

  /** Point snapshots/{commit}/{file} at blobs/{etag} with a relative symlink (a copy where symlinks are not allowed). */
  linkSnapshot(commit: string, file: string, etag: string): string {
    const link = this.snapshotPath(commit, file);
    const blob = this.blobPath(etag);
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { force: true });
    try {
      symlinkSync(relative(dirname(link), blob), link);
    } catch {
      copyFileSync(blob, link);
    }
    return link;
  }
}
