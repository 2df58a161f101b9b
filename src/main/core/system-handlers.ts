// system.info and system.health.
import { accessSync, constants } from 'node:fs';
import { ApiError } from '../../shared/api';
import type { Job } from '../../shared/jobs';
import type { HealthCheck, SystemHealth, SystemInfo, WelcomeState } from '../../shared/system';
import { DEMO_DATASET_NAME, demoDataPath } from './demo';
import { schemaVersion } from '../data/database';
import { APP_NAME, appVersion } from './app-version';
import { detectCapabilities } from './capabilities';
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function systemHandlers(ctx: CoreContext) {
  return {
    'system.info': async (): Promise<SystemInfo> => {
      const caps = await detectCapabilities();
      return {
        appName: APP_NAME,
        appVersion: ctx.options.appVersion ?? appVersion(),
        door: ctx.options.door,
        versions: { node: process.versions.node, v8: process.versions.v8, ...caps.versions, ...ctx.options.hostVersions },
        platform: process.platform,
        arch: process.arch,
        dataFolder: ctx.options.dataDir,
        schemaVersion: schemaVersion(ctx.db),
        inference: caps.inference,
        training: caps.training,
      };
    },
    'studio.welcome': async (): Promise<WelcomeState> => {
      const datasets = ctx.datasets.listDatasets();
      const demoDataset = datasets.find((d) => d.name === DEMO_DATASET_NAME);
      const demoModel = ctx.models.list().find((m) => m.source === 'demo');
      return {
        firstStart: datasets.length === 0 && ctx.chats.list().length === 0 && ctx.runs.list().length === 0,
        ...(demoModel ? { demoModelId: demoModel.id } : {}),
        demoDataAvailable: demoDataPath(ctx.resourcesDir) !== undefined,
        ...(demoDataset ? { demoDatasetId: demoDataset.id } : {}),
      };
    },
    'studio.addDemoData': async (): Promise<Job> => {
      const path = demoDataPath(ctx.resourcesDir);
      if (!path) throw new ApiError('not_found', 'this studio was built without the demo dataset');
      const dataset = ctx.datasets.datasetNamed(DEMO_DATASET_NAME);
      if (dataset.sampleCount > 0) throw new ApiError('conflict', `"${DEMO_DATASET_NAME}" is already there`);
      return ctx.jobs.start('import', `Add ${DEMO_DATASET_NAME}`, 'items', ({ signal, progress }) =>
        ctx.datasets.importPath(dataset.id, path, { signal, onProgress: (p) => progress({ done: p.processed }) }),
      );
    },
    'system.health': async (): Promise<SystemHealth> => {
      const checks: HealthCheck[] = [databaseCheck(ctx), dataFolderCheck(ctx)];
      return { ok: checks.every((c) => c.ok), checks };
    },
  } satisfies AreaHandlers;
}

/** From the guard's last full check (a check here would hold the main thread on a large database). */
function databaseCheck(ctx: CoreContext): HealthCheck {
  const health = ctx.databaseGuard.health();
  const backup = health.lastBackup ? `; last backup ${new Date(health.lastBackup.takenAt).toISOString()}` : '; no backup yet';
  if (health.state === 'damaged') return { name: 'database', ok: false, detail: health.detail };
  return { name: 'database', ok: true, detail: `schema version ${schemaVersion(ctx.db)}; ${health.detail}${backup}` };
}

function dataFolderCheck(ctx: CoreContext): HealthCheck {
  try {
    accessSync(ctx.options.dataDir, constants.W_OK);
    return { name: 'data folder', ok: true, detail: `${ctx.options.dataDir} is writable` };
  } catch (err) {
    return { name: 'data folder', ok: false, detail: (err as Error).message };
  }
}
