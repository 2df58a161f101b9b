// A studio process for the fault suite. It loads its code and says "loaded" (so the suite can
// start the next studio while the current one works: loading code is not part of a restart);
// on "open <operation>" it opens the real core on the data folder (the restart: lock, database
// checks, journal recovery, orphan sweep) and says "ready"; on "go" (the suite has checked the
// data meanwhile) it does the operation through the API and acknowledges what the studio
// reported done, until it finishes ("done") or is killed.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Job } from '../../src/shared/jobs';
import type { RunSummary } from '../../src/shared/runs';
import { createStudioCore, type StudioCore } from '../../src/main/core/studio-core';
import type { Ack, FaultOp } from './fault-ops';

const [dataDir, ackFile] = process.argv.slice(2);
if (!dataDir || !ackFile) throw new Error('usage: studio-worker <dataDir> <ack file>, then "open <op json>" and "go" on stdin');
let op: FaultOp = { op: 'idle' };

/** Appends one ack and flushes it: once written, the suite holds the studio to it. */
function ack(record: Ack): void {
  const fd = openSync(ackFile!, 'a');
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function hashFiles(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(root);
  return files;
}

const call = <T>(core: StudioCore, method: string, input: unknown) => core.call(method, input) as Promise<T>;

async function datasetId(core: StudioCore, name: string): Promise<number> {
  const found = (await call<{ id: number; name: string }[]>(core, 'datasets.list', {})).find((d) => d.name === name);
  return found ? found.id : (await call<{ id: number }>(core, 'datasets.create', { name })).id;
}

/** Does the operation; returns what the studio said about it (skipped rows, left-out samples). */
async function perform(core: StudioCore, op: FaultOp): Promise<string> {
  switch (op.op) {
    case 'setup': {
      const job = await call<Job>(core, 'models.add', { reference: op.modelFolder });
      const ended = await core.jobs.settled(job.id);
      if (ended.status !== 'done') throw new Error(`models.add: ${ended.error}`);
      ack({ ack: 'model', modelId: (ended.result as { id: string }).id });
      return '';
    }
    case 'import': {
      const id = await datasetId(core, op.dataset);
      const job = await call<Job>(core, 'datasets.import', { datasetId: id, path: op.source });
      core.events.on('job.updated', (j) => {
        // progress is published after each committed batch: what it counts is durable
        if (j.id === job.id && j.progress.done > 0) ack({ ack: 'import', dataset: op.dataset, source: op.source, rows: j.progress.done });
      });
      const ended = await core.jobs.settled(job.id);
      if (ended.status !== 'done') throw new Error(`import: ${ended.error}`);
      const report = ended.result as { processed: number; skipped: number; issues: { where: string; reason: string }[] };
      if (report.skipped) return JSON.stringify(report.issues);
      ack({ ack: 'import', dataset: op.dataset, source: op.source, rows: report.processed });
      return '';
    }
    case 'export': {
      const id = await datasetId(core, op.dataset);
      const job = await call<Job>(core, 'datasets.export', { datasetId: id, outDir: op.outDir, format: op.format });
      const ended = await core.jobs.settled(job.id);
      if (ended.status !== 'done') throw new Error(`export: ${ended.error}`);
      ack({ ack: 'export', outDir: op.outDir, files: hashFiles(op.outDir) });
      return JSON.stringify((ended.result as { skipped: unknown[] }).skipped);
    }
    case 'version': {
      const id = await datasetId(core, op.dataset);
      const v = await call<{ id: number; contentHash: string; sampleCount: number }>(core, 'datasets.createVersion', { datasetId: id });
      ack({ ack: 'version', dataset: op.dataset, versionId: v.id, contentHash: v.contentHash, sampleCount: v.sampleCount });
      return '';
    }
    case 'run': {
      const id = await datasetId(core, op.dataset);
      const model = (await call<{ id: string; source: string }[]>(core, 'models.list', {})).find((m) => m.source === 'folder');
      if (!model) throw new Error('no fixture model registered');
      const acked = new Set<number>();
      core.events.on('run.updated', (run: RunSummary) => {
        for (const c of run.checkpoints) {
          if (acked.has(c.step)) continue;
          acked.add(c.step);
          ack({ ack: 'checkpoint', runId: run.id, step: c.step, dir: c.dir, files: hashFiles(c.dir) });
        }
      });
      const run = await call<RunSummary>(core, 'runs.start', {
        datasetId: id,
        baseModelId: model.id,
        maxSteps: 4,
        checkpointEvery: 1,
        batchSize: 1,
        evalSamples: 0,
        keepCheckpoints: 100,
      });
      const ended = await core.runManager.settled(run.id);
      if (ended.status !== 'finished') throw new Error(`run: ${ended.status} ${ended.error ?? ''}`);
      return '';
    }
    case 'backup': {
      const health = await core.databaseGuard.checkNow();
      if (health.state !== 'ok' || !health.lastBackup) throw new Error(`backup: ${health.detail}`);
      ack({ ack: 'backup', path: health.lastBackup.path });
      return '';
    }
    case 'resume': {
      const run = await call<RunSummary>(core, 'runs.resume', { id: op.runId });
      await call(core, 'runs.cancel', { id: run.id });
      return '';
    }
    case 'idle':
      return '';
  }
}

process.stdout.write('loaded\n');
let core: StudioCore | undefined;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.startsWith('open ')) {
    op = JSON.parse(line.slice(5)) as FaultOp;
    const started = performance.now();
    try {
      core = createStudioCore({ dataDir, door: 'web' });
      await core.sweepOrphanFiles();
    } catch (err) {
      process.stdout.write(`refused ${JSON.stringify((err as Error).message)}\n`);
      process.exit(3);
    }
    process.stdout.write(`ready ${Math.round(performance.now() - started)}\n`);
  } else if (line === 'go' && core) {
    try {
      const said = await perform(core, op);
      process.stdout.write(`done ${said}\n`);
    } catch (err) {
      process.stdout.write(`failed ${JSON.stringify((err as Error).message)}\n`);
    }
    break;
  }
}
core?.close();
process.exit(0);
