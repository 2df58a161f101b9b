// The desktop door end to end without the Electron binary: the real preload bridge and the real
// shell handlers around a real core, joined by a stand-in for ipcMain, ipcRenderer and
// contextBridge that copies values the way Electron does. The renderer's side is the client it
// really builds over window.studio.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventPayloads, MethodName } from '../../../src/shared/api';
import type { StudioClient } from '../../../src/shared/client';
import { desktopClient, IPC_CALL_CHANNEL, type DesktopBridge } from '../../../src/shared/desktop-door';
import { ApiError } from '../../../src/shared/errors';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { openIpcDoor } from '../../../src/main/electron/ipc-door';
import { BRIDGE_KEY, exposeDesktopBridge } from '../../../src/preload/desktop-bridge';
import { ElectronStandIn } from '../../helpers/electron-stand-in';
import { makeTempDir } from '../../helpers/temp-dir';

const RENDERER_URL = 'file:///opt/nanovlm-studio/out/renderer/index.html';

describe('desktop door: preload bridge + shell handlers, Electron stood in', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  let electron: ElectronStandIn;
  let closeDoor: () => void;
  let client: StudioClient;

  beforeAll(() => {
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'electron' });
    electron = new ElectronStandIn(RENDERER_URL);
    closeDoor = openIpcDoor({ ipcMain: electron.ipcMain, core, rendererUrl: RENDERER_URL, target: () => electron.webContents });
    exposeDesktopBridge(electron);
    client = desktopClient(electron.mainWorld[BRIDGE_KEY] as DesktopBridge);
  });
  afterAll(() => {
    closeDoor();
    core.close();
    temp.remove();
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('the call succeeded'),
      (err: unknown) => err as ApiError,
    );

  it('round-trips a call: the input is validated and normalised by the contract, the result comes back', async () => {
    expect((electron.mainWorld[BRIDGE_KEY] as DesktopBridge).door).toBe('electron');
    const created = await client.call('datasets.create', { name: '  holiday photos  ' });
    expect(created).toMatchObject({ name: 'holiday photos', sampleCount: 0 });
    expect(await client.call('datasets.get', { id: created.id })).toEqual(created);
    expect((await client.call('system.info', {})).door).toBe('electron');
  });

  it('answers a bad input with the error naming the field, its code intact across the bridge', async () => {
    const err = await failure(client.call('datasets.import', { datasetId: 1, path: 'relative/path' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'path' });
    expect(err.message).toContain('field "path"');
    expect(await failure(client.call('system.info', { surprise: 1 } as never))).toMatchObject({ code: 'invalid_input', field: 'surprise' });
    expect(await failure(client.call('system.nope' as MethodName, {} as never))).toMatchObject({ code: 'unknown_method' });
    // the stores' own errors carry their codes too
    expect(await failure(client.call('datasets.get', { id: 999_999 }))).toMatchObject({ code: 'not_found', message: 'no dataset with id 999999' });
    await client.call('datasets.create', { name: 'taken' });
    expect(await failure(client.call('datasets.create', { name: 'taken' }))).toMatchObject({ code: 'conflict' });
  });

  it('refuses calls from any frame but the studio page, without running them', async () => {
    try {
      for (const foreign of ['https://evil.example/', 'file:///tmp/other.html', null]) {
        electron.frameUrl = foreign;
        const err = await failure(client.call('datasets.create', { name: `from ${foreign}` }));
        expect(err).toMatchObject({ code: 'invalid_input', message: 'calls are accepted only from the studio window' });
      }
    } finally {
      electron.frameUrl = `${RENDERER_URL}#/datasets`;
    }
    const names = (await client.call('datasets.list', {})).map((d) => d.name);
    expect(names.some((n) => n.startsWith('from '))).toBe(false);
  });

  it("delivers the core's events to the renderer's listeners by topic, until they stop listening", async () => {
    const notices: EventPayloads['studio.notice'][] = [];
    const jobs: EventPayloads['job.updated'][] = [];
    const stopNotices = client.subscribe('studio.notice', (n) => notices.push(n));
    const stopJobs = client.subscribe('job.updated', (j) => jobs.push(j));

    core.events.publish('studio.notice', { level: 'warning', message: 'disk almost full' });
    await vi.waitFor(() => expect(notices).toEqual([{ level: 'warning', message: 'disk almost full' }]));

    // a real job's updates, started through the door
    const dataset = await client.call('datasets.create', { name: 'empty import' });
    const folder = join(temp.path, 'nothing-here');
    mkdirSync(folder);
    const job = await client.call('datasets.import', { datasetId: dataset.id, path: folder });
    await core.jobs.settled(job.id);
    await vi.waitFor(() => expect(jobs.filter((j) => j.id === job.id).at(-1)?.status).toBe('done'));
    expect(notices).toHaveLength(1);

    stopNotices();
    stopJobs();
    core.events.publish('studio.notice', { level: 'info', message: 'nobody listens' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(notices).toHaveLength(1);
  });

  it('closes: the call channel is gone, and a call then fails with a code instead of hanging', async () => {
    closeDoor();
    expect(electron.handles(IPC_CALL_CHANNEL)).toBe(false);
    expect(await failure(client.call('datasets.list', {}))).toMatchObject({ code: 'internal', message: expect.stringContaining('datasets.list') });
    closeDoor = openIpcDoor({ ipcMain: electron.ipcMain, core, rendererUrl: RENDERER_URL, target: () => electron.webContents });
    expect(await client.call('datasets.list', {})).not.toHaveLength(0);
  });
});
