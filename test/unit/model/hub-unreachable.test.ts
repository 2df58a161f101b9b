// A Hub that cannot be reached, or a download cut off, said with what to do (issue 14: offline,
// adding lusxvr/nanoVLM-222M said only "fetch failed"): the endpoint, the network, HF_ENDPOINT,
// HF_HUB_OFFLINE, and that a cut download resumes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError, resolveModel } from '../../../src/main/hub/hub';
import { fixtureDir } from '../../helpers/fixture-paths';
import { fakeCommit, startFakeHub, type FakeHub } from '../../helpers/fake-hub-server';

const MODEL = 'test-owner/tiny-vlm';
const WEIGHTS = randomBytes(600_000);

describe('the Hub out of reach', () => {
  let home: string;
  let hub: FakeHub;
  let closedPort: number;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    const config = readFileSync(join(fixtureDir('inline'), 'config.json'), 'utf8');
    hub = await startFakeHub({
      [MODEL]: { commit: fakeCommit('model'), files: { 'config.json': config, 'model.safetensors': WEIGHTS }, lfs: ['model.safetensors'] },
    });
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
  });
  afterAll(() => {
    hub.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('names the endpoint, the network, HF_ENDPOINT and HF_HUB_OFFLINE when nothing answers', async () => {
    const endpoint = `http://127.0.0.1:${closedPort}`;
    const err = await resolveModel('lusxvr/nanoVLM-222M', { env: { HF_HOME: home, HF_ENDPOINT: endpoint } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    const message = (err as Error).message;
    expect(message).toContain(`lusxvr/nanoVLM-222M/config.json: could not reach the Hub at ${endpoint} (ECONNREFUSED)`);
    expect(message).toMatch(/network.*HF_ENDPOINT.*HF_HUB_OFFLINE=1/);
    expect(message).not.toMatch(/^fetch failed$/);
  });

  it('says a cut download is kept and resumes', async () => {
    hub.behaviour.cutAfterBytes = 200_000;
    const err = await resolveModel(MODEL, { env: { HF_HOME: home, HF_ENDPOINT: hub.url } }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/the download from .* was cut .*bytes received are kept: adding the model again resumes the download/);
  });
});
