// The fault-injection suite: kills the studio (kill -9, its whole process group) at random points
// of imports, exports, training runs, version saves and backups, seeded so that a run can be
// repeated; restarts it on the same data folder after every kill and checks the data from
// outside (verify.ts); and now and then damages a file (damage.ts) and checks that the studio
// refuses or reports it, or that the damage was harmless, never that it goes unnoticed.
// Every acknowledged thing lost, anything half-written left visible, and every damage that went
// unnoticed counts as a failure.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src/main/util/mulberry32';
import { DATABASE_FILE } from '../../src/main/data/database';
import { restoreBackup } from '../../src/main/data/database-backups';
import { generatedJpeg } from '../helpers/data-fixtures';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { makeTempDir } from '../helpers/temp-dir';
import { damage, DAMAGE_KINDS, type Damage, type DamageKind } from './damage';
import type { Ack, FaultOp, FaultOpName } from './fault-ops';
import { latestAcks, verifyDataFolder, type Verdict } from './verify';

export interface FaultSuiteOptions {
  seed: number;
  /** kills to reach */
  kills: number;
  /** a damage check after every this many kills (each kind in turn) */
  damageEvery: number;
  /** stop starting new cycles after this long (the suite still finishes its checks) */
  maxSeconds?: number;
  /** the worker entry (a .ts file run through tsx, or a bundled .mjs) */
  workerEntry: string;
  onLine?: (line: string) => void;
}

export interface DamageOutcome {
  damage: Damage;
  /** refused at start, reported while running, harmless (all checks pass), or unnoticed */
  outcome: 'refused' | 'reported' | 'harmless' | 'unnoticed';
  detail: string;
}

export interface FaultReport {
  seed: number;
  kills: number;
  restarts: number;
  killsByOp: Record<string, number>;
  completedOps: number;
  damages: DamageOutcome[];
  /** acknowledged things missing or changed after a restart */
  dataLost: string[];
  halfWritten: string[];
  problems: string[];
  acks: number;
  seconds: number;
}

type Random = () => number;
const WEIGHTS: [FaultOpName, number][] = [
  ['import', 34],
  ['export', 24],
  ['version', 14],
  ['run', 10],
  ['backup', 6],
  ['idle', 12],
];
/** how long after "go" a kill may come, per operation (ms); adapted to the durations seen */
const INITIAL_SPAN: Record<string, number> = { import: 2500, export: 1200, version: 150, run: 6000, backup: 800, idle: 10, setup: 0 };
const ROWS_PER_IMPORT = 90;

interface Workspace {
  root: string;
  dataDir: string;
  exportsRoot: string;
  sourcesRoot: string;
  scratchRoot: string;
  ackFile: string;
}

function weighted(random: Random): FaultOpName {
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  let r = random() * total;
  for (const [op, w] of WEIGHTS) if ((r -= w) < 0) return op;
  return 'idle';
}

function readAcks(file: string): Ack[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Ack];
      } catch {
        return []; // the line being written when the worker died was never a promise
      }
    });
}

interface Worker {
  child: ChildProcess;
  /** resolves once its code is loaded */
  loaded: Promise<void>;
  /** resolves with "ready …" or "refused …", or the exit when it dies first */
  started: Promise<string>;
  /** resolves with "done" / "failed …", or "killed" */
  ended: Promise<string>;
  /** opens the studio on the data folder for `op` */
  open(op: FaultOp): void;
  go(): void;
  kill(): void;
}

/** A studio process with its code loaded, waiting to open the data folder. */
function spawnWorker(entry: string, dataDir: string, ackFile: string): Worker {
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry];
  // its own process group: a kill takes the trainer subprocess with it, as a crash of the machine would
  const child = spawn(process.execPath, [...args, dataDir, ackFile], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  let errors = '';
  let resolveLoaded!: () => void;
  let resolveStarted!: (line: string) => void;
  const loaded = new Promise<void>((r) => (resolveLoaded = r));
  const started = new Promise<string>((r) => (resolveStarted = r));
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('loaded\n')) resolveLoaded();
    const first = /^(ready|refused).*$/m.exec(output);
    if (first) resolveStarted(first[0]);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (errors += chunk));
  const ended = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => {
      resolveLoaded();
      resolveStarted(`exited ${signal ?? code}: ${errors.slice(-300)}`);
      if (signal === 'SIGKILL') resolve('killed');
      else resolve(/^(done.*|failed.*)$/m.exec(output)?.[0] ?? `exited ${code}: ${errors.slice(-300)}`);
    });
  });
  return {
    child,
    loaded,
    started,
    ended,
    open: (op) => child.stdin!.write(`open ${JSON.stringify(op)}\n`),
    go: () => child.stdin!.write('go\n'),
    kill: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** Loads a worker and opens the studio for `op`. */
async function startWorker(entry: string, dataDir: string, op: FaultOp, ackFile: string): Promise<Worker> {
  const worker = spawnWorker(entry, dataDir, ackFile);
  await worker.loaded;
  worker.open(op);
  return worker;
}

async function makeSource(ws: Workspace, cycle: number): Promise<string> {
  const dir = join(ws.sourcesRoot, `s${cycle}`);
  mkdirSync(dir, { recursive: true });
  const rows: string[] = [];
  for (let i = 0; i < ROWS_PER_IMPORT; i++) {
    writeFileSync(join(dir, `p${i}.jpg`), await generatedJpeg(cycle * 1000 + i, 64, 48));
    rows.push(JSON.stringify({ images: [`p${i}.jpg`], texts: [{ user: `cycle ${cycle} question ${i}?`, assistant: `answer ${i} "quoted" (${cycle})` }] }));
  }
  writeFileSync(join(dir, 'rows.jsonl'), `${rows.join('\n')}\n`);
  return join(dir, 'rows.jsonl');
}

/** Datasets that hold acknowledged samples (safe to export, version, train on). */
function filledDatasets(acks: Ack[]): string[] {
  return [
    ...new Set(
      latestAcks(acks)
        .filter((a): a is Ack & { ack: 'import' } => a.ack === 'import' && a.rows > 0)
        .map((a) => a.dataset),
    ),
  ];
}

async function chooseOp(ws: Workspace, random: Random, cycle: number, acks: Ack[]): Promise<FaultOp> {
  const filled = filledDatasets(acks);
  let name = weighted(random);
  if (filled.length === 0 && name !== 'idle') name = 'import';
  const dataset = filled[Math.floor(random() * filled.length)] ?? 'import-0';
  switch (name) {
    case 'import':
      return { op: 'import', dataset: `import-${cycle}`, source: await makeSource(ws, cycle) };
    case 'export': {
      const format = (['jsonl', 'sharegpt', 'parquet'] as const)[Math.floor(random() * 3)]!;
      return { op: 'export', dataset, outDir: join(ws.exportsRoot, `e${cycle}-${format}`), format };
    }
    case 'version':
      return { op: 'version', dataset };
    case 'run':
      return { op: 'run', dataset };
    case 'backup':
      return { op: 'backup' };
    default:
      return { op: 'idle' };
  }
}

function summarise(v: Verdict, report: FaultReport, when: string): void {
  report.dataLost.push(...v.lost.map((l) => `${when}: ${l}`));
  report.halfWritten.push(...v.halfWritten.map((l) => `${when}: ${l}`));
  report.problems.push(...v.problems.map((l) => `${when}: ${l}`));
}

/** Runs a check worker on a data folder; returns how it started and what its operation said. */
async function checkRun(ws: Workspace, dataDir: string, op: FaultOp, entry: string): Promise<{ start: string; end: string }> {
  const worker = await startWorker(entry, dataDir, op, join(ws.scratchRoot, 'check-acks.jsonl'));
  const start = await worker.started;
  if (start.startsWith('ready')) worker.go();
  const end = await Promise.race([worker.ended, new Promise<string>((r) => setTimeout(() => r('timed out'), 120_000))]);
  worker.kill();
  return { start, end };
}

/** Damages a copy (or, for exports and checkpoints, the file itself, put back afterwards) and classifies what the studio did. */
async function damageCheck(ws: Workspace, kind: DamageKind, acks: Ack[], random: Random, entry: string): Promise<DamageOutcome | null> {
  const scratch = join(ws.scratchRoot, 'data');
  rmSync(ws.scratchRoot, { recursive: true, force: true });
  mkdirSync(ws.scratchRoot, { recursive: true });
  const inPlace = kind === 'exported image' || kind === 'checkpoint';
  if (!inPlace) cpSync(ws.dataDir, scratch, { recursive: true });
  const dataDir = inPlace ? ws.dataDir : scratch;
  const hit = damage(kind, dataDir, acks, random);
  if (!hit) return null;
  try {
    return await classify(ws, hit, dataDir, acks, entry);
  } finally {
    if (hit.original) writeFileSync(hit.path, hit.original);
  }
}

/** The dataset one of whose samples shows the stored image at `path`. */
function datasetUsing(dataDir: string, path: string): string | undefined {
  const id = path.split(/[\\/]/).slice(-2).join('');
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const row = db
      .prepare(
        'SELECT d.name FROM sample_images si JOIN samples s ON s.id = si.sample_id JOIN datasets d ON d.id = s.dataset_id WHERE si.image_id = ? AND s.deleted_at IS NULL LIMIT 1',
      )
      .get(id) as { name: string } | undefined;
    return row?.name;
  } finally {
    db.close();
  }
}

async function classify(ws: Workspace, hit: Damage, dataDir: string, acks: Ack[], entry: string): Promise<DamageOutcome> {
  const named = (text: string) => text.includes(hit.path) || text.includes('damaged') || text.includes('no longer matches');
  const datasetOf = filledDatasets(acks)[0] ?? 'import-0';
  const op: FaultOp = (() => {
    switch (hit.kind) {
      case 'database page':
        return { op: 'backup' } as const; // the full integrity check
      case 'wal frame':
        return { op: 'idle' } as const;
      case 'stored image':
        return { op: 'export', dataset: datasetUsing(dataDir, hit.path) ?? datasetOf, outDir: join(ws.scratchRoot, 'export'), format: 'jsonl' } as const;
      case 'exported image':
        return { op: 'import', dataset: 'reimport', source: join(hit.owner!, 'data.jsonl') } as const;
      case 'checkpoint':
        return { op: 'resume', runId: hit.owner! } as const;
    }
  })();
  const { start, end } = await checkRun(ws, dataDir, op, entry);
  if (start.startsWith('refused')) {
    if (!named(start)) return { damage: hit, outcome: 'unnoticed', detail: `refused without naming it: ${start}` };
    let detail = start;
    if (hit.kind === 'database page' || hit.kind === 'wal frame') {
      // the way back: the newest backup, then a clean start
      try {
        const restored = restoreBackup(dataDir, DATABASE_FILE);
        const again = await checkRun(ws, dataDir, { op: 'idle' }, entry);
        detail += `; restored ${restored.restored.reason} backup: ${again.start.split(' ')[0]}`;
      } catch (err) {
        detail += `; no backup to restore (${(err as Error).message})`;
      }
    }
    return { damage: hit, outcome: 'refused', detail };
  }
  if (!start.startsWith('ready')) return { damage: hit, outcome: 'unnoticed', detail: `did not start: ${start}` };
  if (named(end)) return { damage: hit, outcome: 'reported', detail: end };
  const verdict = await verifyDataFolder(dataDir, join(ws.scratchRoot, 'none'), acks);
  const quiet = verdict.lost.length === 0 && verdict.problems.length === 0;
  return {
    damage: hit,
    outcome: quiet && hit.kind !== 'stored image' && hit.kind !== 'exported image' ? 'harmless' : 'unnoticed',
    detail: quiet ? end : [...verdict.lost, ...verdict.problems].slice(0, 3).join('; '),
  };
}

export async function runFaultSuite(options: FaultSuiteOptions): Promise<FaultReport> {
  const started = performance.now();
  const random = mulberry32(options.seed);
  const temp = makeTempDir('nanovlm-faults-');
  const ws: Workspace = {
    root: temp.path,
    dataDir: join(temp.path, 'data'),
    exportsRoot: join(temp.path, 'exports'),
    sourcesRoot: join(temp.path, 'sources'),
    scratchRoot: join(temp.path, 'scratch'),
    ackFile: join(temp.path, 'acks.jsonl'),
  };
  mkdirSync(ws.exportsRoot, { recursive: true });
  const report: FaultReport = {
    seed: options.seed,
    kills: 0,
    restarts: 0,
    killsByOp: {},
    completedOps: 0,
    damages: [],
    dataLost: [],
    halfWritten: [],
    problems: [],
    acks: 0,
    seconds: 0,
  };
  const say = (line: string) => options.onLine?.(line);
  const span = { ...INITIAL_SPAN };
  const model = fixtureModelFolder('split');
  try {
    // setup: the fixture model, for the training runs
    const setup = await startWorker(options.workerEntry, ws.dataDir, { op: 'setup', modelFolder: model }, ws.ackFile);
    if (!(await setup.started).startsWith('ready')) throw new Error(`the studio did not start: ${await setup.started}`);
    setup.go();
    const setupEnd = await setup.ended;
    if (!setupEnd.startsWith('done')) throw new Error(`setup: ${setupEnd}`);
    let cycle = 0;
    let damageTurn = 0;
    let next: Worker | undefined;
    while (report.kills < options.kills && (!options.maxSeconds || performance.now() - started < options.maxSeconds * 1000)) {
      cycle++;
      const acks = readAcks(ws.ackFile);
      const op = await chooseOp(ws, random, cycle, acks);
      const killDuringStart = random() < 0.08;
      const delay = Math.floor(random() * (killDuringStart ? 300 : span[op.op]!));
      // the next studio was loaded while the last one worked; now it opens the folder the kill left
      const worker = next ?? spawnWorker(options.workerEntry, ws.dataDir, ws.ackFile);
      await worker.loaded;
      worker.open(op);
      next = spawnWorker(options.workerEntry, ws.dataDir, ws.ackFile);
      if (killDuringStart) {
        setTimeout(() => worker.kill(), delay);
        const end = await worker.ended;
        if (end === 'killed') {
          report.kills++;
          report.killsByOp['start-up'] = (report.killsByOp['start-up'] ?? 0) + 1;
        }
        continue;
      }
      const start = await worker.started;
      if (!start.startsWith('ready')) {
        report.problems.push(`cycle ${cycle}: the studio did not start after a kill: ${start}`);
        worker.kill();
        break;
      }
      report.restarts++;
      // the studio has restarted (and recovered); check what it holds before it does anything more
      summarise(await verifyDataFolder(ws.dataDir, ws.exportsRoot, acks), report, `after restart ${report.restarts}`);
      const t0 = performance.now();
      worker.go();
      const timer = setTimeout(() => worker.kill(), delay);
      const end = await worker.ended;
      clearTimeout(timer);
      if (end === 'killed') {
        report.kills++;
        report.killsByOp[op.op] = (report.killsByOp[op.op] ?? 0) + 1;
      } else {
        report.completedOps++;
        span[op.op] = Math.max(50, Math.round(0.7 * span[op.op]! + 0.3 * 1.3 * (performance.now() - t0)));
        if (!end.startsWith('done')) report.problems.push(`cycle ${cycle}: ${op.op} ended "${end}"`);
      }
      if (cycle % 10 === 0)
        say(`  ${report.kills} kills, ${report.restarts} restarts, ${readAcks(ws.ackFile).length} acks, ${Math.round((performance.now() - started) / 1000)} s`);
      if (report.kills > 0 && report.kills % options.damageEvery === 0 && end === 'killed') {
        const kind = DAMAGE_KINDS[damageTurn++ % DAMAGE_KINDS.length]!;
        const outcome = await damageCheck(ws, kind, readAcks(ws.ackFile), random, options.workerEntry);
        if (outcome) {
          report.damages.push(outcome);
          say(`  damage: ${kind} → ${outcome.outcome}`);
        }
      }
    }
    next?.kill();
    // one of each damage not done yet, on the state the last kill left
    for (const kind of DAMAGE_KINDS) {
      if (report.damages.some((d) => d.damage.kind === kind)) continue;
      let outcome = await damageCheck(ws, kind, readAcks(ws.ackFile), random, options.workerEntry);
      if (!outcome && kind === 'checkpoint' && (await killRunAfterCheckpoint(ws, options.workerEntry, filledDatasets(readAcks(ws.ackFile))[0], report))) {
        outcome = await damageCheck(ws, kind, readAcks(ws.ackFile), random, options.workerEntry);
      }
      if (outcome) report.damages.push(outcome);
    }
    // a last restart and its checks
    const acks = readAcks(ws.ackFile);
    const last = await startWorker(options.workerEntry, ws.dataDir, { op: 'idle' }, ws.ackFile);
    const start = await last.started;
    if (start.startsWith('ready')) {
      report.restarts++;
      summarise(await verifyDataFolder(ws.dataDir, ws.exportsRoot, acks), report, 'at the end');
      last.go();
      await last.ended;
    } else {
      report.problems.push(`the studio did not start at the end: ${start}`);
    }
    report.acks = acks.length;
  } finally {
    report.seconds = (performance.now() - started) / 1000;
    rmSync(model, { recursive: true, force: true });
    if (report.dataLost.length || report.problems.length) copyFileSync(ws.ackFile, join(process.cwd(), 'test-results', 'fault-acks.jsonl'));
    temp.remove();
  }
  return report;
}

/** A run killed just after its first checkpoint: something for the checkpoint damage check to work on. */
async function killRunAfterCheckpoint(ws: Workspace, entry: string, dataset: string | undefined, report: FaultReport): Promise<boolean> {
  if (!dataset) return false;
  const before = readAcks(ws.ackFile).filter((a) => a.ack === 'checkpoint').length;
  const worker = await startWorker(entry, ws.dataDir, { op: 'run', dataset }, ws.ackFile);
  if (!(await worker.started).startsWith('ready')) {
    worker.kill();
    return false;
  }
  report.restarts++;
  worker.go();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && readAcks(ws.ackFile).filter((a) => a.ack === 'checkpoint').length === before) await new Promise((r) => setTimeout(r, 50));
  worker.kill();
  const killed = (await worker.ended) === 'killed';
  if (killed) {
    report.kills++;
    report.killsByOp.run = (report.killsByOp.run ?? 0) + 1;
  }
  return killed;
}

/** The table the suite prints. */
export function reportTable(r: FaultReport): string {
  const unnoticed = r.damages.filter((d) => d.outcome === 'unnoticed').length;
  const rows: [string, string][] = [
    ['seed', String(r.seed)],
    [
      'kills',
      `${r.kills} (${Object.entries(r.killsByOp)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
    ],
    ['restarts', String(r.restarts)],
    ['operations finished', String(r.completedOps)],
    ['acknowledgements', String(r.acks)],
    ['damaged files', `${r.damages.length} (${r.damages.map((d) => `${d.damage.kind}: ${d.outcome}`).join(', ')})`],
    ['damage unnoticed', String(unnoticed)],
    ['half-written visible', String(r.halfWritten.length)],
    ['other problems', String(r.problems.length)],
    ['data lost', String(r.dataLost.length)],
    ['time', `${r.seconds.toFixed(0)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

export function failures(r: FaultReport): string[] {
  return [
    ...r.dataLost.map((l) => `data lost: ${l}`),
    ...r.halfWritten.map((l) => `half-written: ${l}`),
    ...r.problems.map((l) => `problem: ${l}`),
    ...r.damages.filter((d) => d.outcome === 'unnoticed').map((d) => `damage unnoticed: ${d.damage.kind} ${d.damage.path}: ${d.detail}`),
  ];
}
