// What the fault suite asks a studio worker to do, and what the worker acknowledges: an ack is
// written (and flushed to disk) only once the studio has reported the thing done, so that every
// ack is a promise the studio made that must survive any kill that follows.
export type FaultOp =
  | { op: 'setup'; modelFolder: string }
  | { op: 'import'; dataset: string; source: string }
  | { op: 'export'; dataset: string; outDir: string; format: 'jsonl' | 'sharegpt' | 'parquet' }
  | { op: 'version'; dataset: string }
  | { op: 'run'; dataset: string }
  | { op: 'backup' }
  /** continue a run from its last checkpoint (a damage check) */
  | { op: 'resume'; runId: string }
  | { op: 'idle' };

export type FaultOpName = FaultOp['op'];

export type Ack =
  | { ack: 'model'; modelId: string }
  /** the first `rows` rows of `source` are committed into `dataset` */
  | { ack: 'import'; dataset: string; source: string; rows: number }
  | { ack: 'export'; outDir: string; files: Record<string, string> }
  | { ack: 'version'; dataset: string; versionId: number; contentHash: string; sampleCount: number }
  | { ack: 'checkpoint'; runId: string; step: number; dir: string; files: Record<string, string> }
  | { ack: 'backup'; path: string };
