// A local HTTP server that answers like the Hugging Face Hub's resolve endpoint, for tests that
// must never touch the real Hub:
//   HEAD/GET /{owner}/{name}/resolve/{revision}/{path}
//     small files: 200 with ETag (a git-style sha1), X-Repo-Commit, Content-Length
//     LFS files:   302 to an absolute http://{host}/cdn/{sha256} with X-Linked-Etag (the sha256), X-Linked-Size, X-Repo-Commit
//     missing file: 404 X-Error-Code EntryNotFound; unknown repo: 401 RepoNotFound;
//     gated repo without the right token: 401 GatedRepo
//   GET /cdn/{sha256}: the bytes, with Range support (206 + Content-Range); `cutAfterBytes` drops the
//   connection part-way to simulate an interrupted download; `delayMs` slows each chunk.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  commit: string;
  files: Record<string, Uint8Array | string>;
  /** files served like LFS files (redirect to the CDN); default: those over 1 KiB */
  lfs?: string[];
  /** when set, requests need `Authorization: Bearer {token}` */
  token?: string;
}

export interface RequestRecord {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

export interface FakeHubBehaviour {
  /** on the next CDN GET only, end the connection after this many body bytes */
  cutAfterBytes?: number;
  /** pause between 64 KiB chunks of CDN bodies */
  delayMs?: number;
  /** ignore Range headers (answer 200 with the whole file) */
  ignoreRange?: boolean;
}

export interface FakeHub {
  url: string;
  requests: RequestRecord[];
  behaviour: FakeHubBehaviour;
  repos: Map<string, FakeRepo>;
  close(): Promise<void>;
}

export const fakeCommit = (seed: string): string => createHash('sha1').update(seed).digest('hex');

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const gitSha1 = (data: Uint8Array): string => createHash('sha1').update(`blob ${data.byteLength}\0`).update(data).digest('hex');
const bytesOf = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const hub: FakeHub = { url: '', close: async () => undefined, requests: [], behaviour: {}, repos: new Map(Object.entries(repos)) };
  const server = createServer((req, res) => {
    hub.requests.push({ method: req.method ?? '', url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization });
    void handle(hub, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  hub.url = `http://127.0.0.1:${port}`;
  hub.close = () => closeServer(server);
  return hub;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

async function handle(hub: FakeHub, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(path);
  if (cdn) return serveCdn(hub, req, res, cdn[1]!);
  const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
  if (!resolve) return answer(res, 404, {});
  const [, repoId, revision, file] = resolve as unknown as [string, string, string, string];
  const repo = hub.repos.get(repoId);
  if (!repo || (revision !== 'main' && revision !== repo.commit)) return answer(res, 401, { 'x-error-code': 'RepoNotFound' });
  if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
    return answer(res, 401, { 'x-error-code': 'GatedRepo' });
  }
  const data = repo.files[file];
  if (data === undefined) return answer(res, 404, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': repo.commit });
  const bytes = bytesOf(data);
  const isLfs = repo.lfs ? repo.lfs.includes(file) : bytes.byteLength > 1024;
  if (isLfs) {
    const hash = sha256(bytes);
    return answer(res, 302, {
      location: `http://${req.headers.host}/cdn/${hash}`, 'x-repo-commit': repo.commit, 'x-linked-etag': `"${hash}"`,
      'x-linked-size': String(bytes.byteLength), etag: `W/"${gitSha1(Buffer.from(`pointer ${hash}`))}"`,
    });
  }
  const headers = { etag: `"${gitSha1(bytes)}"`, 'x-repo-commit': repo.commit, 'content-length': String(bytes.byteLength) };
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function answer(res: ServerResponse, status: number, headers: Record<string, string>): void {
  res.writeHead(status, headers);
  res.end();
}

function findBlob(hub: FakeHub, hash: string): Uint8Array | undefined {
  for (const repo of hub.repos.values()) {
    for (const data of Object.values(repo.files)) {
      const bytes = bytesOf(data);
      if (sha256(bytes) === hash) return bytes;
    }
  }
  return undefined;
}

async function serveCdn(hub: FakeHub, req: IncomingMessage, res: ServerResponse, hash: string): Promise<void> {
  const bytes = findBlob(hub, hash);
  if (!bytes) return answer(res, 404, {});
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const start = range && !hub.behaviour.ignoreRange ? Number(range[1]) : 0;
  if (start >= bytes.byteLength && start > 0) return answer(res, 416, { 'content-range': `bytes */${bytes.byteLength}` });
  const body = bytes.subarray(start);
  const headers: Record<string, string> = { 'content-length': String(body.byteLength), 'accept-ranges': 'bytes' };
  if (start > 0) headers['content-range'] = `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}`;
  res.writeHead(start > 0 ? 206 : 200, headers);
  if (req.method === 'HEAD') return void res.end();
  const cut = hub.behaviour.cutAfterBytes;
  hub.behaviour.cutAfterBytes = undefined;
  await writeChunks(res, cut === undefined ? body : body.subarray(0, cut), hub.behaviour.delayMs ?? 0);
  if (cut !== undefined) res.destroy();
  else res.end();
}

async function writeChunks(res: ServerResponse, body: Uint8Array, delayMs: number): Promise<void> {
  const CHUNK = 64 * 1024;
  for (let at = 0; at < body.byteLength && !res.destroyed; at += CHUNK) {
    const ok = res.write(body.subarray(at, at + CHUNK));
    if (!ok) await new Promise((done) => res.once('drain', done));
    if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
  }
}
