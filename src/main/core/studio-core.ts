// The studio core: plain Node, never imports electron. It owns the data folder (one process at a
// time), the database and the services, and answers API calls. Both doors host one of these.
import { mkdirSync } from 'node:fs';
import type { MediaKind } from '../../shared/client';
import { ApiError, isMethodName, parseMethodInput, type MethodName, type MethodOutput } from '../../shared/api';
import { openDatabase, type StudioDatabase } from '../data/database';
import { acquireInstanceLock, type InstanceLock } from '../data/instance-lock';
import { EventBus } from './event-bus';
import { JobManager } from './jobs';
import { createHandlers, type Handlers } from './handlers';

export interface MediaFile {
  path: string;
  contentType: string;
}

export interface StudioCoreOptions {
  dataDir: string;
  door: 'electron' | 'web';
  /** versions the host knows better (Electron's, Chromium's) */
  hostVersions?: Record<string, string>;
  /** the host's own idea of the app version (Electron's app.getVersion()) */
  appVersion?: string;
}

export interface StudioCore {
  readonly dataDir: string;
  readonly db: StudioDatabase;
  readonly events: EventBus;
  readonly jobs: JobManager;
  /** Validate and run one API call; throws ApiError. */
  call(method: string, input: unknown): Promise<unknown>;
  /** A stored image or thumbnail by opaque id (ids are validated by the doors). */
  media(kind: MediaKind, id: string): MediaFile | undefined;
  close(): void;
}

export interface CoreContext {
  options: StudioCoreOptions;
  db: StudioDatabase;
  events: EventBus;
  jobs: JobManager;
}

export function createStudioCore(options: StudioCoreOptions): StudioCore {
  mkdirSync(options.dataDir, { recursive: true });
  const lock: InstanceLock = acquireInstanceLock(options.dataDir);
  let db: StudioDatabase;
  try {
    db = openDatabase(options.dataDir);
  } catch (err) {
    lock.release();
    throw err;
  }
  const events = new EventBus();
  const jobs = new JobManager(events);
  const handlers: Handlers = createHandlers({ options, db, events, jobs });
  let closed = false;
  return {
    dataDir: options.dataDir,
    db,
    events,
    jobs,
    async call(method, input) {
      if (!isMethodName(method)) throw new ApiError('unknown_method', `unknown method "${String(method)}"`);
      const parsed = parseMethodInput(method, input);
      return runHandler(handlers, method, parsed);
    },
    media(_kind, _id) {
      return undefined;
    },
    close() {
      if (closed) return;
      closed = true;
      jobs.cancelAll();
      db.close();
      lock.release();
    },
  };
}

async function runHandler<M extends MethodName>(handlers: Handlers, method: M, input: unknown): Promise<MethodOutput<M>> {
  try {
    return await (handlers[method] as (i: unknown) => Promise<MethodOutput<M>>)(input);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('internal', `${method}: ${(err as Error).message}`);
  }
}
