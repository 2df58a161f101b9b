// First start: the bundled demo model is registered and the demo dataset can be added in one step.
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../../src/shared/jobs';
import type { ModelInfo } from '../../../src/shared/models';
import type { WelcomeState } from '../../../src/shared/system';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { fixtureModelFolder } from '../../helpers/fixture-model';
import { PHOTOS_DIR } from '../../helpers/fixture-paths';
import { makeTempDir } from '../../helpers/temp-dir';

describe('first start with the bundled demo', () => {
  const temp = makeTempDir();
  const resourcesDir = join(temp.path, 'resources');
  let core: StudioCore;

  beforeAll(() => {
    mkdirSync(join(resourcesDir, 'demo-data', 'images'), { recursive: true });
    renameSync(fixtureModelFolder('split'), join(resourcesDir, 'demo-model'));
    copyFileSync(join(PHOTOS_DIR, 'chelsea.png'), join(resourcesDir, 'demo-data', 'images', 'chelsea.png'));
    writeFileSync(
      join(resourcesDir, 'demo-data', 'demo.jsonl'),
      `${JSON.stringify({ images: ['images/chelsea.png'], texts: [{ user: 'What animal is this?', assistant: 'cat' }] })}\n`,
    );
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web', resourcesDir });
  });
  afterAll(() => {
    core.close();
    temp.remove();
  });

  it('registers the demo model and offers the demo dataset on an empty data folder', async () => {
    const models = (await core.call('models.list', {})) as ModelInfo[];
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ source: 'demo', family: 'split', folder: join(resourcesDir, 'demo-model') });
    const welcome = (await core.call('studio.welcome', {})) as WelcomeState;
    expect(welcome).toEqual({ firstStart: true, demoModelId: models[0]!.id, demoDataAvailable: true });
  });

  it('adds the demo dataset once', async () => {
    const job = (await core.call('studio.addDemoData', {})) as Job;
    expect((await core.jobs.settled(job.id)).status).toBe('done');
    const welcome = (await core.call('studio.welcome', {})) as WelcomeState;
    expect(welcome.firstStart).toBe(false);
    expect(welcome.demoDatasetId).toBeGreaterThan(0);
    await expect(core.call('studio.addDemoData', {})).rejects.toMatchObject({ code: 'conflict' });
  });

  it('keeps the demo registered once across restarts', async () => {
    core.close();
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web', resourcesDir });
    expect(((await core.call('models.list', {})) as ModelInfo[]).filter((m) => m.source === 'demo')).toHaveLength(1);
  });
});
