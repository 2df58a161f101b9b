// The run queue through the core: a run asked for while another trains waits, in order, and
// starts when the running one ends (cancelled too); a queued run can be removed; the queue
// outlives a restart of the studio. Real trainer subprocesses on a fixture model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import type { EnqueueResult, QueuedRun, RunSummary } from '../../../src/shared/runs';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { photo } from '../../helpers/data-fixtures';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { makeTempDir } from '../../helpers/temp-dir';

describe('the run queue', () => {
  const temp = makeTempDir();
  let core: StudioCore;
  let model: ModelInfo;
  let datasetId: number;
  const call = <T>(c: StudioCore, method: string, input: unknown) => c.call(method, input) as Promise<T>;
  const settings = (name: string, maxSteps: number) => ({
    name,
    datasetId,
    baseModelId: model.id,
    preset: 'full',
    maxSteps,
    checkpointEvery: 100,
    batchSize: 1,
    evalSamples: 0,
  });

  beforeAll(async () => {
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
    const job = await call<Job>(core, 'models.add', { reference: fixtureModelFolder('split') });
    model = (await core.jobs.settled(job.id)).result as ModelInfo;
    datasetId = (await call<{ id: number }>(core, 'datasets.create', { name: 'queue' })).id;
    for (const [file, q, a] of [
      ['chelsea.png', 'What animal is this?', 'cat'],
      ['coffee.png', 'What drink is this?', 'coffee'],
    ] as const) {
      const image = await call<{ id: string }>(core, 'images.add', { dataBase64: photo(file).toString('base64') });
      await call(core, 'samples.create', { datasetId, sample: { imageIds: [image.id], turns: [{ user: q, assistant: a }], status: 'done' } });
    }
  });

  afterAll(() => {
    core.close();
    temp.remove();
  });

  it('starts at once when nothing trains, queues in order while a run trains, and starts the next when it ends (cancelled too)', async () => {
    const first = (await call<EnqueueResult>(core, 'runs.enqueue', settings('first', 100_000))) as { started: RunSummary };
    expect(first.started.status).toBe('running');
    const second = (await call<EnqueueResult>(core, 'runs.enqueue', settings('second', 2))) as { queued: QueuedRun };
    const third = (await call<EnqueueResult>(core, 'runs.enqueue', settings('third', 2))) as { queued: QueuedRun };
    expect([second.queued.position, third.queued.position]).toEqual([1, 2]);
    expect((await call<QueuedRun[]>(core, 'runs.queue', {})).map((q) => q.name)).toEqual(['second', 'third']);

    const queueSeen: string[][] = [];
    core.events.on('run.queue', (q) => queueSeen.push(q.map((r) => r.name)));
    await call(core, 'runs.cancel', { id: first.started.id });
    await core.runManager.settled(first.started.id);
    const runNamed = async (name: string) => (await call<RunSummary[]>(core, 'runs.list', {})).find((r) => r.name === name);
    await expect.poll(() => runNamed('second'), { timeout: 30_000 }).toBeTruthy();
    expect(queueSeen).toContainEqual(['third']); // second started, third next
    expect((await core.runManager.settled((await runNamed('second'))!.id)).status).toBe('finished');
    // and the third after the second
    await expect.poll(async () => (await runNamed('third'))?.status, { timeout: 60_000 }).toBe('finished');
    expect(await call<QueuedRun[]>(core, 'runs.queue', {})).toEqual([]);
  }, 180_000);

  it('removes a queued run, and keeps the queue across a restart of the studio', async () => {
    const running = (await call<EnqueueResult>(core, 'runs.enqueue', settings('long', 100_000))) as { started: RunSummary };
    const a = (await call<EnqueueResult>(core, 'runs.enqueue', settings('kept', 2))) as { queued: QueuedRun };
    const b = (await call<EnqueueResult>(core, 'runs.enqueue', settings('removed', 2))) as { queued: QueuedRun };
    expect((await call<QueuedRun[]>(core, 'runs.dequeue', { id: b.queued.id })).map((q) => q.name)).toEqual(['kept']);
    await expect(call(core, 'runs.dequeue', { id: b.queued.id })).rejects.toThrow(/no queued run/);
    await call(core, 'runs.cancel', { id: running.started.id });
    await core.runManager.settled(running.started.id);
    // the cancel started "kept"; queue another behind it, then stop the studio
    const later = (await call<EnqueueResult>(core, 'runs.enqueue', settings('after restart', 2))) as { queued: QueuedRun };
    core.close();
    core = createStudioCore({ dataDir: temp.path, door: 'web' });
    expect((await call<QueuedRun[]>(core, 'runs.queue', {})).map((q) => q.id)).toEqual([later.queued.id]);
    expect(a.queued.position).toBe(1);
  }, 120_000);
});
