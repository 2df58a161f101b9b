// Download of one file of a Hub model repo into the huggingface_hub cache, as hf_hub_download does:
// a HEAD on `{endpoint}/{repo}/resolve/{revision}/{file}` gives the commit (X-Repo-Commit) and the
// blob's name (X-Linked-Etag for LFS files, else ETag) and size; a cached snapshot is reused; else
// the GET streams into blobs/{etag}.incomplete, resuming with an HTTP Range from what an earlier,
// interrupted download left there. Cancellable with an AbortSignal; progress in bytes.
import { createWriteStream, existsSync, statSync, truncateSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { COMMIT_HASH, RepoCache } from './hub-cache';

export interface HubSettings {
  /** HF_ENDPOINT, default https://huggingface.co */
  endpoint: string;
  /** HF_TOKEN */
  token?: string;
  /** HF_HUB_OFFLINE: use the cache only */
  offline: boolean;
  cacheDir: string;
  fetch: typeof fetch;
}

export interface DownloadProgress {
  repo: string;
  file: string;
  receivedBytes: number;
  /** undefined when the server does not say */
  totalBytes?: number;
  /** true when the file came from the cache without downloading */
  cached: boolean;
  done: boolean;
}

export interface FileRequest {
  repo: string;
  file: string;
  revision: string;
  /** a missing optional file resolves to undefined instead of failing */
  optional?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: DownloadProgress) => void;
}

export class HubError extends Error {
  constructor(
    readonly repo: string,
    readonly file: string | undefined,
    message: string,
    readonly status?: number,
  ) {
    super(`${file ? `${repo}/${file}` : repo}: ${message}`);
    this.name = 'HubError';
  }
}

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export function checkRepoId(repo: string): void {
  if (!REPO_ID.test(repo) || repo.includes('..')) {
    throw new HubError(repo, undefined, 'not a Hub model id (expected "owner/name")');
  }
}

function checkFilePath(repo: string, file: string): void {
  if (file.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new HubError(repo, file, 'not a valid file path inside a repo');
  }
}

interface RemoteFile {
  missing?: false;
  commit: string;
  etag: string;
  size?: number;
}

interface MissingFile {
  missing: true;
  commit?: string;
}

/** The path of the file in the cache's snapshot folder, downloading it if needed; undefined for a missing optional file. */
export async function downloadToCache(settings: HubSettings, request: FileRequest): Promise<string | undefined> {
  checkRepoId(request.repo);
  checkFilePath(request.repo, request.file);
  const cache = new RepoCache(settings.cacheDir, request.repo);
  if (settings.offline) return fromCacheOffline(cache, request);
  let remote: RemoteFile | MissingFile;
  try {
    remote = await headFile(settings, request);
  } catch (err) {
    const cached = networkFallback(cache, request, err);
    if (cached !== undefined || request.optional) return cached;
    throw unreachable(settings, request, err);
  }
  if (remote.missing) return missingFile(cache, request, remote.commit);
  cache.writeRef(request.revision, remote.commit);
  const snapshot = cache.snapshotPath(remote.commit, request.file);
  if (existsSync(snapshot)) return reportCached(request, snapshot);
  if (!existsSync(cache.blobPath(remote.etag))) await fetchBlob(settings, cache, request, remote);
  return cache.linkSnapshot(remote.commit, request.file, remote.etag);
}

function fromCacheOffline(cache: RepoCache, request: FileRequest): string | undefined {
  const cached = cache.cachedFile(request.revision, request.file);
  if (cached !== undefined) return reportCached(request, cached);
  if (request.optional) return undefined;
  throw new HubError(request.repo, request.file, `not in the cache at ${cache.dir} (revision ${request.revision}) and HF_HUB_OFFLINE is set`);
}

/** On a connection failure (not an HTTP answer), fall back to the cached snapshot as huggingface_hub does. */
function networkFallback(cache: RepoCache, request: FileRequest, err: unknown): string | undefined {
  if (err instanceof HubError || request.signal?.aborted) throw err;
  const cached = cache.cachedFile(request.revision, request.file);
  return cached !== undefined ? reportCached(request, cached) : undefined;
}

/**
 * The Hub could not be reached (no network, a wrong HF_ENDPOINT, a proxy): said with what to do,
 * instead of the bare "fetch failed" of the HTTP client.
 */
function unreachable(settings: HubSettings, request: FileRequest, err: unknown, kept?: number): HubError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  const what = kept === undefined ? `could not reach the Hub at ${settings.endpoint}` : `the download from ${settings.endpoint} was cut`;
  const resume = kept ? ` The ${kept} bytes received are kept: adding the model again resumes the download.` : '';
  return new HubError(
    request.repo,
    request.file,
    `${what} (${why}). Check the network connection; set HF_ENDPOINT to use a mirror, or HF_HUB_OFFLINE=1 to use only models already in the cache (${settings.cacheDir}).${resume}`,
  );
}

/** A 404 for a file: recorded under .no_exist/ (so offline runs know) and an error unless optional. */
function missingFile(cache: RepoCache, request: FileRequest, commit: string | undefined): undefined {
  if (commit !== undefined && COMMIT_HASH.test(commit)) {
    cache.writeRef(request.revision, commit);
    cache.markMissing(commit, request.file);
  }
  if (!request.optional) throw new HubError(request.repo, request.file, 'file not found in the repo (HTTP 404)', 404);
  return undefined;
}

function reportCached(request: FileRequest, path: string): string {
  const size = statSync(path).size;
  request.onProgress?.({ repo: request.repo, file: request.file, receivedBytes: size, totalBytes: size, cached: true, done: true });
  return path;
}

const resolveUrl = (settings: HubSettings, request: FileRequest): string =>
  `${settings.endpoint.replace(/\/+$/, '')}/${request.repo}/resolve/${encodeURIComponent(request.revision)}/${request.file.split('/').map(encodeURIComponent).join('/')}`;

function authHeaders(settings: HubSettings): Record<string, string> {
  return settings.token ? { authorization: `Bearer ${settings.token}` } : {};
}

/** HEAD the resolve URL, following only same-host relative redirects (a renamed repo), not the CDN one of LFS files. */
async function headFile(settings: HubSettings, request: FileRequest): Promise<RemoteFile | MissingFile> {
  let url = resolveUrl(settings, request);
  for (let hop = 0; hop < 5; hop++) {
    const res = await settings.fetch(url, {
      method: 'HEAD',
      redirect: 'manual',
      signal: request.signal,
      headers: { ...authHeaders(settings), 'accept-encoding': 'identity' },
    });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location?.startsWith('/')) {
      url = new URL(location, url).toString();
      continue;
    }
    const errorCode = res.headers.get('x-error-code') ?? undefined;
    if (res.status === 404 && errorCode !== 'RepoNotFound' && errorCode !== 'RevisionNotFound') {
      return { missing: true, commit: res.headers.get('x-repo-commit') ?? undefined };
    }
    if (res.status >= 400) throw httpError(settings, request, res.status, errorCode);
    return remoteFileOf(request, res.headers);
  }
  throw new HubError(request.repo, request.file, 'too many redirects');
}

function remoteFileOf(request: FileRequest, headers: Headers): RemoteFile {
  const commit = headers.get('x-repo-commit') ?? '';
  const etag = normaliseEtag(headers.get('x-linked-etag') ?? headers.get('etag'));
  if (!COMMIT_HASH.test(commit)) throw new HubError(request.repo, request.file, `the server gave no commit hash (X-Repo-Commit: ${JSON.stringify(commit)})`);
  if (!etag) throw new HubError(request.repo, request.file, 'the server gave no ETag');
  const size = Number(headers.get('x-linked-size') ?? headers.get('content-length') ?? NaN);
  return { commit, etag, size: Number.isFinite(size) ? size : undefined };
}

/** `W/"abc"` → `abc`; refuse anything that could escape the blobs folder. */
function normaliseEtag(raw: string | null): string | undefined {
  if (!raw) return undefined;
  const etag = raw.replace(/^W\//, '').replace(/^"|"$/g, '');
  return /^[\w.-]+$/.test(etag) && !etag.startsWith('.') ? etag : undefined;
}

function httpError(settings: HubSettings, request: FileRequest, status: number, errorCode?: string): HubError {
  if (errorCode === 'RepoNotFound') {
    return new HubError(request.repo, request.file, `repository not found (HTTP ${status}); if it is private, set HF_TOKEN`, status);
  }
  if (errorCode === 'RevisionNotFound') return new HubError(request.repo, request.file, `revision "${request.revision}" not found (HTTP ${status})`, status);
  if (status === 401 || status === 403) {
    const hint = settings.token ? 'the token in HF_TOKEN has no access to it' : 'it is gated or private: set HF_TOKEN to a token with access';
    return new HubError(request.repo, request.file, `access refused (HTTP ${status}); ${hint}`, status);
  }
  if (status === 404) return new HubError(request.repo, request.file, 'repository not found (HTTP 404)', status);
  return new HubError(request.repo, request.file, `the Hub answered HTTP ${status}`, status);
}

/** GET into blobs/{etag}.incomplete, resuming from its current size, then move it into place. */
async function fetchBlob(settings: HubSettings, cache: RepoCache, request: FileRequest, remote: RemoteFile): Promise<void> {
  const partial = cache.incompletePath(remote.etag);
  await mkdir(dirname(partial), { recursive: true });
  let start = existsSync(partial) ? statSync(partial).size : 0;
  if (remote.size !== undefined && start > remote.size) {
    truncateSync(partial, 0);
    start = 0;
  }
  if (remote.size === undefined || start < remote.size) {
    try {
      await streamRange(settings, request, remote, partial, start);
    } catch (err) {
      if (err instanceof HubError || request.signal?.aborted) throw err;
      throw unreachable(settings, request, err, existsSync(partial) ? statSync(partial).size : 0);
    }
  }
  const size = statSync(partial).size;
  if (remote.size !== undefined && size !== remote.size) {
    throw new HubError(request.repo, request.file, `download ended at ${size} bytes, expected ${remote.size}; run again to resume`);
  }
  cache.completeBlob(remote.etag);
}

async function streamRange(settings: HubSettings, request: FileRequest, remote: RemoteFile, partial: string, start: number): Promise<void> {
  const headers: Record<string, string> = { ...authHeaders(settings), 'accept-encoding': 'identity' };
  if (start > 0) headers.range = `bytes=${start}-`;
  const res = await settings.fetch(resolveUrlAt(settings, request, remote.commit), { headers, signal: request.signal, redirect: 'follow' });
  if (res.status >= 400 && res.status !== 416) throw httpError(settings, request, res.status, res.headers.get('x-error-code') ?? undefined);
  if (res.status === 416 || !res.body) return;
  // A 200 to a Range request means the server sent the whole file: start over.
  const append = res.status === 206 && start > 0;
  let received = append ? start : 0;
  const progress = (done: boolean): void =>
    request.onProgress?.({
      repo: request.repo,
      file: request.file,
      receivedBytes: received,
      totalBytes: remote.size,
      cached: false,
      done,
    });
  progress(false);
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    received += chunk.byteLength;
    progress(false);
  });
  await pipeline(body, createWriteStream(partial, { flags: append ? 'a' : 'w' }), { signal: request.signal });
  progress(true);
}

/** Download from the commit the HEAD named, so that every file of one model comes from the same commit. */
function resolveUrlAt(settings: HubSettings, request: FileRequest, commit: string): string {
  return resolveUrl(settings, { ...request, revision: commit });
}
