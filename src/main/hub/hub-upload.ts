// Uploads a set of files to a Hub repo as one commit, through @huggingface/hub (the Hub's own
// client: preupload, LFS batch + PUT for large files, NDJSON commit). Before anything is sent the
// token is checked (whoami) and the repo is created, or, when it exists, checked to hold nothing
// but files this upload replaces: a repo with other content is refused, never overwritten.
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createRepo, listFiles, uploadFilesWithProgress, whoAmI } from '@huggingface/hub';

export type HubRepoType = 'model' | 'dataset';

export interface UploadFile {
  /** path inside the repo */
  path: string;
  /** the local file */
  file: string;
}

export interface UploadRequest {
  repo: string;
  type: HubRepoType;
  files: UploadFile[];
  token: string;
  endpoint: string;
  title: string;
  private?: boolean;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number, stage: string) => void;
}

export interface UploadResult {
  repoUrl: string;
  commitUrl?: string;
  created: boolean;
}

/** Files a fresh repo may already have that an upload need not own. */
const HOUSEKEEPING = new Set(['.gitattributes']);

export class HubUploadError extends Error {
  constructor(
    readonly repo: string,
    message: string,
  ) {
    super(`${repo}: ${message}`);
    this.name = 'HubUploadError';
  }
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export function checkRepoId(repo: string): void {
  if (!REPO_ID.test(repo) || repo.includes('..') || repo.includes('--')) throw new HubUploadError(repo, 'not a Hub repo id of the form owner/name');
}

const status = (err: unknown): number | undefined => (err as { statusCode?: number }).statusCode;

async function existingFiles(req: UploadRequest, credentials: { accessToken: string }): Promise<string[] | undefined> {
  try {
    const paths: string[] = [];
    for await (const entry of listFiles({ repo: { type: req.type, name: req.repo }, recursive: true, hubUrl: req.endpoint, ...credentials })) {
      if (entry.type === 'file') paths.push(entry.path);
    }
    return paths;
  } catch (err) {
    if (status(err) === 404) return undefined;
    throw err;
  }
}

export async function uploadToHub(req: UploadRequest): Promise<UploadResult> {
  checkRepoId(req.repo);
  const credentials = { accessToken: req.token };
  try {
    await whoAmI({ hubUrl: req.endpoint, ...credentials });
  } catch (err) {
    const code = status(err);
    if (code === 401 || code === 403)
      throw new HubUploadError(req.repo, `the Hub refused the token (HTTP ${code}): enter a token with write access, or log in again`);
    throw err;
  }
  req.signal?.throwIfAborted();
  const existing = await existingFiles(req, credentials);
  let created = false;
  if (existing === undefined) {
    await createRepo({ repo: { type: req.type, name: req.repo }, private: req.private ?? false, hubUrl: req.endpoint, ...credentials });
    created = true;
  } else {
    const ours = new Set(req.files.map((f) => f.path));
    const others = existing.filter((p) => !ours.has(p) && !HOUSEKEEPING.has(p));
    if (others.length > 0) {
      throw new HubUploadError(
        req.repo,
        `the ${req.type} repo already exists with other content (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}): choose a new repo name, or empty that one first`,
      );
    }
  }
  const sizes = new Map(req.files.map((f) => [f.path, statSync(f.file).size]));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  const fraction = new Map<string, number>();
  const report = (stage: string) => {
    let done = 0;
    for (const [path, f] of fraction) done += f * (sizes.get(path) ?? 0);
    req.onProgress?.(Math.round(done), total, stage);
  };
  const upload = uploadFilesWithProgress({
    repo: { type: req.type, name: req.repo },
    files: req.files.map((f) => ({ path: f.path, content: pathToFileURL(f.file) })),
    commitTitle: req.title,
    hubUrl: req.endpoint,
    abortSignal: req.signal,
    useXet: false,
    ...credentials,
  });
  let next = await upload.next();
  while (!next.done) {
    const event = next.value;
    if (event.event === 'fileProgress' && event.state === 'uploading') {
      fraction.set(event.path, event.progress);
      report(`uploading ${event.path}`);
    } else if (event.event === 'phase') {
      report(event.phase);
    }
    next = await upload.next();
  }
  for (const path of sizes.keys()) fraction.set(path, 1);
  report('done');
  return { repoUrl: `${req.endpoint}/${req.type === 'dataset' ? 'datasets/' : ''}${req.repo}`, commitUrl: next.value?.commit.url, created };
}
