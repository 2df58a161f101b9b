// system.info and system.health.
import { accessSync, constants } from 'node:fs';
import type { HealthCheck, SystemHealth, SystemInfo } from '../../shared/system';
import { schemaVersion } from '../data/database';
import { APP_NAME, appVersion } from './app-version';
import { detectCapabilities } from './capabilities';
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
    'system.health': async (): Promise<SystemHealth> => {
      const checks: HealthCheck[] = [databaseCheck(ctx), dataFolderCheck(ctx)];
      return { ok: checks.every((c) => c.ok), checks };
    },
  };
}

function databaseCheck(ctx: CoreContext): HealthCheck {
  try {
    const result = ctx.db.pragma('quick_check', { simple: true }) as string;
    return { name: 'database', ok: result === 'ok', detail: result === 'ok' ? `schema version ${schemaVersion(ctx.db)}` : result };
  } catch (err) {
    return { name: 'database', ok: false, detail: (err as Error).message };
  }
}

function dataFolderCheck(ctx: CoreContext): HealthCheck {
  try {
    accessSync(ctx.options.dataDir, constants.W_OK);
    return { name: 'data folder', ok: true, detail: `${ctx.options.dataDir} is writable` };
  } catch (err) {
    return { name: 'data folder', ok: false, detail: (err as Error).message };
  }
}
