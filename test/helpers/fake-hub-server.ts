// A local HTTP server that answers like the Hugging Face Hub's resolve endpoint, for tests that
// must never touch the real Hub:
//   HEAD/GET /{owner}/{name}/resolve/{revision}/{path}
//     small files: 200 with ETag (a git-style sha1), X-Repo-Commit, Content-Length
//     LFS files:   302 to an absolute http://{host}/cdn/{sha256} with X-Linked-Etag (the sha256), X-Linked-Size, X-Repo-Commit
//     missing file: 404 X-Error-Code EntryNotFound; unknown repo: 401 RepoNotFound;
//     gated repo without the right token: 401 GatedRepo
//   GET /cdn/{sha256}: the bytes, with Range support (206 + Content-Range); `cutAfterBytes` drops the
//   connection part-way to simulate an interrupted download; `delayMs` slows each chunk.
// and like its upload API, as @huggingface/hub calls it (writeTokens: the tokens allowed to write):
//   GET  /api/whoami-v2                                   401 for a token not in writeTokens
//   POST /api/repos/create {name, organization, type}     409 when the repo exists
//   GET  /api/{models|datasets}/{repo}/tree/main          the repo's files; 404 RepoNotFound
//   POST /api/{models|datasets}/{repo}/preupload/main     uploadMode "lfs" for files over 1 KiB
//   POST /{datasets/}{repo}.git/info/lfs/objects/batch     basic transfer: upload actions to /lfs-upload/{oid}
//   PUT  /lfs-upload/{oid}                                the bytes (sha256 checked); `uploadDelayMs` slows it
//   POST /api/{models|datasets}/{repo}/commit/main         NDJSON header/file/lfsFile lines → a new commit
// Dataset repos are kept in `repos` under "datasets/{owner}/{name}".
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

export interface FakeHubOptions {
  /** tokens the upload API accepts */
  writeTokens?: string[];
}

export interface FakeHubBehaviour {
  /** wait this long before answering each LFS upload */
  uploadDelayMs?: number;
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
  /** uploaded LFS objects by sha256 */
  lfs: Map<string, Uint8Array>;
  writeTokens: Set<string>;
  close(): Promise<void>;
}

export const fakeCommit = (seed: string): string => createHash('sha1').update(seed).digest('hex');

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const gitSha1 = (data: Uint8Array): string => createHash('sha1').update(`blob ${data.byteLength}\0`).update(data).digest('hex');
const bytesOf = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

export async function startFakeHub(repos: Record<string, FakeRepo>, options: FakeHubOptions = {}): Promise<FakeHub> {
  const hub: FakeHub = {
    url: '',
    close: async () => undefined,
    requests: [],
    behaviour: {},
    repos: new Map(Object.entries(repos)),
    lfs: new Map(),
    writeTokens: new Set(options.writeTokens ?? []),
  };
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
  if (
    path === '/api/whoami-v2' ||
    path === '/api/repos/create' ||
    path.startsWith('/lfs-upload/') ||
    /^\/api\/(models|datasets)\//.test(path) ||
    path.endsWith('.git/info/lfs/objects/batch')
  ) {
    return handleUpload(hub, req, res, path);
  }
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
      location: `http://${req.headers.host}/cdn/${hash}`,
      'x-repo-commit': repo.commit,
      'x-linked-etag': `"${hash}"`,
      'x-linked-size': String(bytes.byteLength),
      etag: `W/"${gitSha1(Buffer.from(`pointer ${hash}`))}"`,
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

// ---- the upload API ----

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** "datasets/owner/name" for datasets, "owner/name" for models (the key in hub.repos). */
const repoKey = (type: string, id: string): string => (type === 'dataset' || type === 'datasets' ? `datasets/${id}` : id);

function blobFor(hub: FakeHub, repo: FakeRepo, path: string): Uint8Array {
  return bytesOf(repo.files[path]!);
}

async function handleUpload(hub: FakeHub, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const authorised = token !== undefined && hub.writeTokens.has(token);
  // the LFS upload URL is pre-signed (the batch answer is the authorisation), as the Hub's storage is
  if (!authorised && !path.startsWith('/lfs-upload/')) return json(res, 401, { error: 'Invalid credentials in Authorization header' });
  if (path === '/api/whoami-v2') {
    return json(res, 200, { type: 'user', name: 'studio-user', auth: { type: 'access_token', accessToken: { displayName: 'test', role: 'write' } } });
  }
  if (path === '/api/repos/create' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as { name: string; organization?: string; type?: string };
    const id = `${body.organization ?? 'studio-user'}/${body.name}`;
    const key = repoKey(body.type ?? 'model', id);
    if (hub.repos.has(key)) return json(res, 409, { error: 'You already created this repo', url: `${hub.url}/${key}` });
    hub.repos.set(key, { commit: fakeCommit(`${key}:0`), files: {}, lfs: [] });
    return json(res, 200, { url: `${hub.url}/${key}`, id: key });
  }
  const lfsUpload = /^\/lfs-upload\/([0-9a-f]{64})$/.exec(path);
  if (lfsUpload && req.method === 'PUT') {
    const body = new Uint8Array(await readBody(req));
    if (hub.behaviour.uploadDelayMs) await new Promise((done) => setTimeout(done, hub.behaviour.uploadDelayMs));
    if (sha256(body) !== lfsUpload[1]) return json(res, 400, { error: 'sha256 mismatch' });
    hub.lfs.set(lfsUpload[1]!, body);
    res.writeHead(200);
    return void res.end();
  }
  const batch = /^\/(datasets\/)?([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(path);
  if (batch && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as { objects: { oid: string; size: number }[] };
    if (!hub.repos.has(repoKey(batch[1] ? 'dataset' : 'model', batch[2]!))) return json(res, 404, { error: 'Repository not found' });
    return json(
      res,
      200,
      {
        transfer: 'basic',
        objects: body.objects.map((o) => ({
          oid: o.oid,
          size: o.size,
          ...(hub.lfs.has(o.oid) ? {} : { actions: { upload: { href: `${hub.url}/lfs-upload/${o.oid}`, header: {} } } }),
        })),
      },
      { 'content-type': 'application/vnd.git-lfs+json' },
    );
  }
  const api = /^\/api\/(models|datasets)\/([^/]+\/[^/]+)\/(tree|preupload|commit)\/main$/.exec(path);
  if (!api) return json(res, 404, { error: 'not found' });
  const [, type, id, action] = api as unknown as [string, string, string, string];
  const repo = hub.repos.get(repoKey(type, id));
  if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
  if (action === 'tree') {
    return json(
      res,
      200,
      Object.keys(repo.files).map((p) => ({ type: 'file', path: p, size: blobFor(hub, repo, p).byteLength, oid: gitSha1(blobFor(hub, repo, p)) })),
    );
  }
  if (action === 'preupload') {
    const body = JSON.parse((await readBody(req)).toString('utf8')) as { files: { path: string; size: number }[] };
    return json(res, 200, { files: body.files.map((f) => ({ path: f.path, uploadMode: f.size > 1024 ? 'lfs' : 'regular', shouldIgnore: false })) });
  }
  const lines = (await readBody(req))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { key: string; value: Record<string, string> });
  const files: Record<string, Uint8Array> = {};
  const lfsPaths: string[] = [];
  for (const { key, value } of lines) {
    if (key === 'file') files[value.path!] = Buffer.from(value.content!, value.encoding === 'base64' ? 'base64' : 'utf8');
    if (key === 'lfsFile') {
      const blob = hub.lfs.get(value.oid!);
      if (!blob) return json(res, 422, { error: `LFS object ${value.oid} was never uploaded` });
      files[value.path!] = blob;
      lfsPaths.push(value.path!);
    }
  }
  repo.files = { ...repo.files, ...files };
  repo.lfs = [...(repo.lfs ?? []), ...lfsPaths];
  repo.commit = fakeCommit(`${id}:${repo.commit}:${Object.keys(files).join(',')}`);
  return json(res, 200, { commitOid: repo.commit, commitUrl: `${hub.url}/${repoKey(type, id)}/commit/${repo.commit}` });
}
