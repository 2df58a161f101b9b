// Where an export goes, and how it gets there. The target is a new or empty folder, or a folder
// where the export replaces nothing (another format's export beside it), or one whose data files
// the person chose to overwrite; never a virtual filesystem (/proc, /sys: Node's recursive mkdir
// loops forever there) and never the studio's own data folder. Everything is
// written into a hidden staging folder first and moved into place at the end, so that a failed,
// cancelled or killed export leaves nothing half-written where the person looks. Every file
// operation here has a time limit and checks for cancellation: a hung disk or share fails the
// export instead of holding it forever.
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, rmdir, statfs } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ApiError } from '../../../shared/errors';

const FS_TIMEOUT_MS = 30_000;

/** Linux filesystems that hold no files of their own (statfs f_type). */
const VIRTUAL_FILESYSTEMS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0xcafe4a11: 'bpf',
  0x6e736673: 'nsfs',
};

/** Why an export cannot go where asked: data files already there (a conflict), or no place for files at all. */
export class ExportTargetError extends ApiError {
  constructor(message: string, code: 'conflict' | 'invalid_input' = 'invalid_input') {
    super(code, message, 'outDir');
    this.name = 'ExportTargetError';
  }
}

export interface ExportTarget {
  outDir: string;
  /**
   * the hidden folder the export writes into; made by create(), so that a job can name it in its
   * journal first (a kill between the two then leaves nothing that the next start does not remove)
   */
  staging: string;
  /** Makes the staging folder. */
  create(): Promise<void>;
  /** Moves the staged files into place; returns where each landed. */
  publish(): Promise<void>;
  /** Removes the staging folder (after a failure or cancellation). */
  discard(): Promise<void>;
}

export interface ExportTargetOptions {
  /** the files the export writes that would replace earlier data (relative to the folder) */
  dataFiles: string[];
  /** the studio's data folder, which an export may not write into */
  dataDir?: string;
  overwrite?: boolean;
  signal?: AbortSignal;
}

/** `operation`, failing after FS_TIMEOUT_MS or when the signal aborts. */
export async function timed<T>(what: string, operation: Promise<T>, signal?: AbortSignal): Promise<T> {
  signal?.throwIfAborted();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${FS_TIMEOUT_MS / 1000} s (is the disk or share responding?)`)), FS_TIMEOUT_MS);
    onAbort = () => reject(signal!.reason ?? new Error('cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([operation, limit]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

const isInside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

async function exists(path: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await timed(`looking at ${path}`, lstat(path), signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The nearest folder of `path` (itself included) that exists. */
async function nearestExisting(path: string, signal?: AbortSignal): Promise<string> {
  let current = path;
  while (!(await exists(current, signal))) {
    const parent = dirname(current);
    if (parent === current) return current;
    current = parent;
  }
  return current;
}

async function refuseVirtualFilesystem(path: string, signal?: AbortSignal): Promise<void> {
  if (process.platform !== 'linux') return;
  const existing = await nearestExisting(path, signal);
  const { type } = await timed(`looking at ${existing}`, statfs(existing), signal);
  const name = VIRTUAL_FILESYSTEMS[Number(type)];
  if (name) throw new ExportTargetError(`${path}: ${existing} is on a virtual filesystem (${name}) that holds no files; choose a folder on a disk`);
}

/** mkdir -p one level at a time (Node's recursive mkdir can loop forever on odd filesystems). */
export async function makeFolders(path: string, signal?: AbortSignal): Promise<void> {
  const missing: string[] = [];
  for (let current = path; !(await exists(current, signal)); current = dirname(current)) {
    if (dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const folder of missing) {
    try {
      await timed(`creating ${folder}`, mkdir(folder), signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function entriesOf(path: string, signal?: AbortSignal): Promise<Dirent[]> {
  return timed(`reading ${path}`, readdir(path, { withFileTypes: true }), signal);
}

export async function prepareExportTarget(outDirGiven: string, options: ExportTargetOptions): Promise<ExportTarget> {
  const { signal } = options;
  const outDir = resolve(outDirGiven);
  if (options.dataDir && (isInside(resolve(options.dataDir), outDir) || isInside(outDir, resolve(options.dataDir)))) {
    throw new ExportTargetError(`${outDir}: the studio's data folder (${options.dataDir}) is not a place for exports; choose another folder`);
  }
  await refuseVirtualFilesystem(outDir, signal);
  let mode: 'new' | 'empty' | 'merge' = 'new';
  if (await exists(outDir, signal)) {
    if (!(await timed(`looking at ${outDir}`, lstat(outDir), signal)).isDirectory()) throw new ExportTargetError(`${outDir} is a file, not a folder`);
    mode = (await entriesOf(outDir, signal)).length === 0 ? 'empty' : 'merge';
    // images are named by their content, so only the data files can replace anything
    const replaced: string[] = [];
    for (const file of options.dataFiles) if (await exists(join(outDir, file), signal)) replaced.push(file);
    if (replaced.length && !options.overwrite) {
      throw new ExportTargetError(`${outDir} already holds ${replaced.join(', ')}; export into a new or empty folder, or choose to overwrite`, 'conflict');
    }
  }
  const parent = dirname(outDir);
  await makeFolders(mode === 'merge' ? outDir : parent, signal);
  const tag = randomBytes(6).toString('hex');
  const staging = mode === 'merge' ? join(outDir, `.export-${tag}.partial`) : join(parent, `.${basename(outDir)}.export-${tag}.partial`);
  return {
    outDir,
    staging,
    create: () => timed(`creating ${staging}`, mkdir(staging), signal).then(() => undefined),
    publish: () => publish(staging, outDir, mode, options.dataFiles, signal),
    discard: () => rm(staging, { recursive: true, force: true }),
  };
}

async function publish(staging: string, outDir: string, mode: 'new' | 'empty' | 'merge', dataFiles: string[], signal?: AbortSignal): Promise<void> {
  if (mode === 'empty') await timed(`replacing the empty ${outDir}`, rmdir(outDir), signal);
  if (mode !== 'merge') {
    await timed(`moving the export into ${outDir}`, rename(staging, outDir), signal);
    return;
  }
  // data files of an earlier export that this one does not write would mix old rows with new ones
  const stale: string[] = [];
  for (const file of dataFiles) if (!(await exists(join(staging, file), signal))) stale.push(join(outDir, file));
  await moveInto(staging, outDir, signal);
  for (const file of stale) await rm(file, { force: true });
  await rm(staging, { recursive: true, force: true });
}

/** Moves every file of `from` to the same place under `to`, replacing what is there; folders merge. */
async function moveInto(from: string, to: string, signal?: AbortSignal): Promise<void> {
  const entries = await entriesOf(from, signal);
  // data files last: a reader that finds the new data file finds its images already in place
  entries.sort((a, b) => Number(a.isFile()) - Number(b.isFile()));
  for (const entry of entries) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory() && (await exists(target, signal)) && (await lstat(target)).isDirectory()) {
      await moveInto(source, target, signal);
    } else {
      if (entry.isDirectory()) await rm(target, { recursive: true, force: true });
      await timed(`moving ${entry.name} into ${to}`, rename(source, target), signal);
    }
  }
}
