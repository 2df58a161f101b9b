// The studio core: plain Node, never imports electron. It owns the data folder (one process at a
// time), the database and the services, and answers API calls. Both doors host one of these.
import { mkdirSync } from 'node:fs';
import type { MediaKind } from '../../shared/client';
import { isMethodName, parseMethodInput, type MethodName, type MethodOutput, type ParsedInput } from '../../shared/api';
import { ApiError, asApiError } from '../../shared/errors';
import { openDatabase, type StudioDatabase } from '../data/database';
import { DatabaseGuard } from '../data/database-guard';
import { DatasetStore } from '../data/dataset-store';
import { JobJournal } from '../data/job-journal';
import { sweepOrphanFiles, type SweepResult } from '../data/images/orphan-sweep';
import { ModelRegistry } from '../registry/model-registry';
import { ChatService } from '../chat/chat-service';
import { ChatStore } from '../chat/chat-store';
import { useInferenceThread } from '../runtime/threaded-model';
import { EnginePool } from '../chat/engine-pool';
import { RunQueue } from '../runs/run-queue';
import { RunManager } from '../runs/run-manager';
import { RunStore } from '../runs/run-store';
import { acquireInstanceLock, type InstanceLock } from '../data/instance-lock';
import { EventBus } from './event-bus';
import { defaultResourcesDir, registerDemoModel } from './demo';
import { JobManager } from './jobs';
import { Downloads, type DownloadFile } from './downloads';
import { Uploads } from './uploads';
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
  /** where the bundled demo model and data are (default: resources/ of the source tree) */
  resourcesDir?: string;
}

export interface StudioCore {
  readonly dataDir: string;
  readonly db: StudioDatabase;
  readonly events: EventBus;
  readonly jobs: JobManager;
  readonly runManager: RunManager;
  /** the background integrity check and daily backup of the database */
  readonly databaseGuard: DatabaseGuard;
  /** Removes image files no row names, left by a crash (runs once, a few seconds after start). */
  sweepOrphanFiles(): Promise<SweepResult>;
  /** Validate and run one API call; throws ApiError. */
  call(method: string, input: unknown): Promise<unknown>;
  /** A stored image or thumbnail by opaque id (ids are validated by the doors). */
  media(kind: MediaKind, id: string): Promise<MediaFile | undefined>;
  /** A file prepared for download (a zipped export) by its id, while it is offered. */
  download(id: string): DownloadFile | undefined;
  close(): void;
}

export interface CoreContext {
  options: StudioCoreOptions;
  db: StudioDatabase;
  databaseGuard: DatabaseGuard;
  events: EventBus;
  jobs: JobManager;
  datasets: DatasetStore;
  models: ModelRegistry;
  runs: RunStore;
  runManager: RunManager;
  chats: ChatStore;
  engines: EnginePool;
  chat: ChatService;
  uploads: Uploads;
  downloads: Downloads;
  resourcesDir: string;
}

const ORPHAN_SWEEP_AFTER_MS = 5_000;

export function createStudioCore(options: StudioCoreOptions): StudioCore {
  const startedAt = Date.now();
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
  const databaseGuard = new DatabaseGuard(db, options.dataDir, { onDamage: (message) => events.publish('studio.notice', { level: 'error', message }) });
  databaseGuard.start();
  const jobs = new JobManager(events, new JobJournal(db));
  const datasets = new DatasetStore(db, options.dataDir);
  const models = new ModelRegistry(db);
  const resourcesDir = options.resourcesDir ?? defaultResourcesDir();
  try {
    registerDemoModel(models, resourcesDir);
  } catch (err) {
    console.error(`the bundled demo model could not be registered: ${(err as Error).message}`);
  }
  const runs = new RunStore(db);
  const runManager = new RunManager({ dataDir: options.dataDir, runs, queue: new RunQueue(db), datasets, models, events, jobs });
  const chats = new ChatStore(db);
  // models on the CPU run on a worker thread while the core is open: the API stays responsive
  const releaseInferenceThread = useInferenceThread();
  const engines = new EnginePool({ dataDir: options.dataDir, models, jobs });
  const chat = new ChatService({ chats, engines, datasets, models, events });
  const uploads = new Uploads(options.dataDir);
  const downloads = new Downloads(options.dataDir);
  const handlers: Handlers = createHandlers({
    options,
    db,
    databaseGuard,
    events,
    jobs,
    datasets,
    models,
    runs,
    runManager,
    chats,
    engines,
    chat,
    uploads,
    downloads,
    resourcesDir,
  });
  let closed = false;
  let sweep: Promise<SweepResult> | undefined;
  const sweepOrphans = () => {
    sweep ??= datasets.images.files
      .withExclusive(() => sweepOrphanFiles(db, options.dataDir, startedAt))
      .then((r) => {
        if (r.files)
          console.error(`nanoVLM Studio: removed ${r.files} image file(s) (${r.bytes} bytes) that no sample or image row named, left by an interrupted import`);
        return r;
      });
    return sweep;
  };
  const sweepTimer = setTimeout(() => void sweepOrphans().catch(() => undefined), ORPHAN_SWEEP_AFTER_MS);
  sweepTimer.unref();
  return {
    dataDir: options.dataDir,
    db,
    events,
    jobs,
    runManager,
    databaseGuard,
    sweepOrphanFiles: sweepOrphans,
    async call(method, input) {
      if (!isMethodName(method)) throw new ApiError('unknown_method', `unknown method "${String(method)}"`);
      const parsed = parseMethodInput(method, input);
      return runHandler(handlers, method, parsed, databaseGuard);
    },
    media: (kind, id) => findMedia(datasets, kind, id),
    download: (id) => downloads.get(id),
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(sweepTimer);
      chat.stopAll();
      jobs.cancelAll();
      uploads.closeAll();
      downloads.closeAll();
      runManager.shutdown();
      void engines.dispose().finally(releaseInferenceThread);
      databaseGuard.close();
      db.close();
      lock.release();
    },
  };
}

async function findMedia(datasets: DatasetStore, kind: MediaKind, id: string): Promise<MediaFile | undefined> {
  try {
    if (kind === 'thumb') return { path: await datasets.thumbnailPath(id), contentType: 'image/webp' };
    const image = datasets.images.get(id);
    return image ? { path: datasets.imageFilePath(id), contentType: `image/${image.format}` } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One call of a handler with its parsed input. Whatever it throws leaves as an ApiError: the
 * stores' errors already are ones (with their code); anything else is an internal failure. A
 * write refused because the database was found damaged (and made read-only) says so.
 */
async function runHandler<M extends MethodName>(handlers: Handlers, method: M, input: ParsedInput<M>, guard: DatabaseGuard): Promise<MethodOutput<M>> {
  try {
    return await handlers[method](input);
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_READONLY' && guard.damaged) throw new ApiError('conflict', `${method}: ${guard.health().detail}`);
    throw asApiError(err, method);
  }
}
