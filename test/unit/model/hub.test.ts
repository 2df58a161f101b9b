import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildByteTokenizerConfig, buildByteTokenizerJson } from '../../../src/main/model/byte-tokenizer';
import { hubCacheDir, HubError, resolveModel, type DownloadProgress } from '../../../src/main/hub/hub';
import { fixtureDir } from '../../helpers/fixture-paths';
import { fakeCommit, startFakeHub, type FakeHub } from '../../helpers/fake-hub-server';

const MODEL = 'test-owner/tiny-vlm';
const TOKENIZER = 'test-owner/tiny-tokenizer';
const GATED = 'test-owner/gated-vlm';
const WEIGHTS = randomBytes(1_000_000);
const CONFIG = JSON.stringify({
  ...JSON.parse(readFileSync(join(fixtureDir('inline'), 'config.json'), 'utf8')),
  lm_tokenizer: TOKENIZER,
});
const TOKENIZER_JSON = JSON.stringify(buildByteTokenizerJson());
const TOKENIZER_CONFIG = JSON.stringify(buildByteTokenizerConfig());

let hub: FakeHub;
let home: string;

beforeAll(async () => {
  hub = await startFakeHub({
    [MODEL]: { commit: fakeCommit('model'), files: { 'config.json': CONFIG, 'model.safetensors': WEIGHTS } },
    [TOKENIZER]: { commit: fakeCommit('tok'), files: { 'tokenizer.json': TOKENIZER_JSON, 'tokenizer_config.json': TOKENIZER_CONFIG }, lfs: ['tokenizer.json'] },
    [GATED]: { commit: fakeCommit('gated'), token: 'hf_secret', files: { 'config.json': CONFIG, 'model.safetensors': WEIGHTS } },
  });
});
afterAll(() => hub.close());

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'hf-home-'));
  hub.requests.length = 0;
  hub.behaviour = {};
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HF_HOME: home, HF_ENDPOINT: hub.url, ...extra });
const repoDir = (repo: string): string => join(home, 'hub', `models--${repo.replace('/', '--')}`);
function writePythonStyleCache(repo: string, commit: string, files: Record<string, string | Uint8Array>): void {
  const dir = repoDir(repo);
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  mkdirSync(join(dir, 'snapshots', commit), { recursive: true });
  mkdirSync(join(dir, 'refs'), { recursive: true });
  writeFileSync(join(dir, 'refs', 'main'), commit);
  Object.entries(files).forEach(([name, data], i) => {
    writeFileSync(join(dir, 'blobs', `blob${i}`), data);
    symlinkSync(`../../blobs/blob${i}`, join(dir, 'snapshots', commit, name));
  });
}

const cdnGets = (): number => hub.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/cdn/')).length;

describe('resolveModel from the Hub', () => {
  it('downloads into the huggingface_hub cache layout', async () => {
    const events: DownloadProgress[] = [];
    const model = await resolveModel(MODEL, { env: env(), onProgress: (e) => events.push(e) });
    const commit = fakeCommit('model');
    expect(model.source).toBe('hub');
    expect(model.commit).toBe(commit);
    expect(model.folder).toBe(join(repoDir(MODEL), 'snapshots', commit));
    expect(readFileSync(join(repoDir(MODEL), 'refs', 'main'), 'utf8')).toBe(commit);
    expect(lstatSync(model.weightsPath).isSymbolicLink()).toBe(true);
    expect(readlinkSync(model.weightsPath)).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
    expect(readlinkSync(model.configPath)).toMatch(/^\.\.\/\.\.\/blobs\/[0-9a-f]{40}$/);
    expect(readFileSync(join(model.tokenizerFolder, 'tokenizer.json'), 'utf8')).toBe(TOKENIZER_JSON);
    expect(existsSync(join(model.tokenizerFolder, 'tokenizer_config.json'))).toBe(true);
    // absent optional file: recorded like huggingface_hub does
    expect(existsSync(join(repoDir(TOKENIZER), '.no_exist', fakeCommit('tok'), 'special_tokens_map.json'))).toBe(true);
    const weightEvents = events.filter((e) => e.file === 'model.safetensors');
    expect(weightEvents.at(-1)).toMatchObject({ receivedBytes: WEIGHTS.length, totalBytes: WEIGHTS.length, done: true, cached: false });
    const received = weightEvents.map((e) => e.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
  });

  it('reuses the cached snapshot without downloading again', async () => {
    await resolveModel(MODEL, { env: env() });
    const before = cdnGets();
    const events: DownloadProgress[] = [];
    await resolveModel(MODEL, { env: env(), onProgress: (e) => events.push(e) });
    expect(cdnGets()).toBe(before);
    expect(events.every((e) => e.cached)).toBe(true);
  });

  it('works offline from the cache, and says so when the cache lacks the model', async () => {
    await resolveModel(MODEL, { env: env() });
    hub.requests.length = 0;
    const model = await resolveModel(MODEL, { env: env({ HF_HUB_OFFLINE: '1' }) });
    expect(hub.requests).toHaveLength(0);
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
    await expect(resolveModel(GATED, { env: env({ HF_HUB_OFFLINE: '1' }) })).rejects.toThrow(/not in the cache.*HF_HUB_OFFLINE/);
  });

  it('reads a cache written by Python tools (huggingface_hub layout), offline', async () => {
    const commit = 'a'.repeat(40);
    writePythonStyleCache(MODEL, commit, { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
    writePythonStyleCache(TOKENIZER, commit, { 'tokenizer.json': TOKENIZER_JSON });
    const model = await resolveModel(MODEL, { env: env({ HF_HUB_OFFLINE: '1' }) });
    expect(hub.requests).toHaveLength(0);
    expect(model.commit).toBe(commit);
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
    expect(model.tokenizerFolder).toBe(join(repoDir(TOKENIZER), 'snapshots', commit));
    // online, refs/main moves to the Hub's commit; the old snapshot stays
    const online = await resolveModel(MODEL, { env: env() });
    expect(online.commit).toBe(fakeCommit('model'));
    expect(readdirSync(join(repoDir(MODEL), 'snapshots')).sort()).toEqual([commit, fakeCommit('model')].sort());
  });

  it('resumes an interrupted download with an HTTP Range request', async () => {
    hub.behaviour.cutAfterBytes = 300_000;
    await expect(resolveModel(MODEL, { env: env() })).rejects.toThrow();
    const incomplete = readdirSync(join(repoDir(MODEL), 'blobs')).filter((f) => f.endsWith('.incomplete'));
    expect(incomplete).toHaveLength(1);
    const partialSize = statSync(join(repoDir(MODEL), 'blobs', incomplete[0]!)).size;
    expect(partialSize).toBeGreaterThan(0);
    expect(partialSize).toBeLessThan(WEIGHTS.length);
    const model = await resolveModel(MODEL, { env: env() });
    expect(hub.requests.some((r) => r.range === `bytes=${partialSize}-`)).toBe(true);
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
    expect(readdirSync(join(repoDir(MODEL), 'blobs')).filter((f) => f.endsWith('.incomplete'))).toEqual([]);
  });

  it('starts over when the server ignores the Range header', async () => {
    hub.behaviour.cutAfterBytes = 200_000;
    await expect(resolveModel(MODEL, { env: env() })).rejects.toThrow();
    hub.behaviour.ignoreRange = true;
    const model = await resolveModel(MODEL, { env: env() });
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
  });

  it('cancels with an AbortSignal and resumes later', async () => {
    hub.behaviour.delayMs = 30;
    const controller = new AbortController();
    const run = resolveModel(MODEL, {
      env: env(),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.file === 'model.safetensors' && e.receivedBytes > 0) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    hub.behaviour.delayMs = 0;
    const model = await resolveModel(MODEL, { env: env() });
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
  });

  it('refuses a gated repo without a token, with a hint, and sends HF_TOKEN', async () => {
    const err = await resolveModel(GATED, { env: env() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).status).toBe(401);
    expect((err as Error).message).toMatch(/HF_TOKEN/);
    const model = await resolveModel(GATED, { env: env({ HF_TOKEN: 'hf_secret' }) });
    expect(readFileSync(model.weightsPath).equals(WEIGHTS)).toBe(true);
    expect(hub.requests.some((r) => r.authorization === 'Bearer hf_secret')).toBe(true);
  });

  it('names the repo and file when a file or repo is missing', async () => {
    await expect(resolveModel('test-owner/nothing-here', { env: env() })).rejects.toThrow(/test-owner\/nothing-here.*not found/);
    hub.repos.set('test-owner/no-weights', { commit: fakeCommit('nw'), files: { 'config.json': CONFIG } });
    await expect(resolveModel('test-owner/no-weights', { env: env() })).rejects.toThrow(/no-weights\/model\.safetensors.*404/);
  });
});

describe('resolveModel from a local folder', () => {
  it('uses the folder, and its own tokenizer without any request', async () => {
    const folder = join(home, 'model');
    mkdirSync(folder);
    writeFileSync(join(folder, 'config.json'), CONFIG);
    writeFileSync(join(folder, 'model.safetensors'), WEIGHTS);
    writeFileSync(join(folder, 'tokenizer.json'), TOKENIZER_JSON);
    const model = await resolveModel(folder, { env: env() });
    expect(model).toMatchObject({ source: 'local', folder, tokenizerFolder: folder });
    expect(hub.requests).toHaveLength(0);
  });

  it('fetches the lm_tokenizer repo when the folder has no tokenizer', async () => {
    const folder = join(home, 'model');
    mkdirSync(folder);
    writeFileSync(join(folder, 'config.json'), CONFIG);
    writeFileSync(join(folder, 'model.safetensors'), WEIGHTS);
    const model = await resolveModel(folder, { env: env() });
    expect(model.tokenizerFolder).toBe(join(repoDir(TOKENIZER), 'snapshots', fakeCommit('tok')));
  });

  it('names what is missing', async () => {
    await expect(resolveModel(join(home, 'nope'), { env: env() })).rejects.toThrow(/no such folder/);
    mkdirSync(join(home, 'empty'));
    await expect(resolveModel(join(home, 'empty'), { env: env() })).rejects.toThrow(/config\.json/);
  });
});

describe('hubCacheDir', () => {
  it('follows HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME', () => {
    expect(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hubCacheDir({ HF_HOME: '/b' })).toBe('/b/hub');
    expect(hubCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/huggingface/hub');
  });
});
