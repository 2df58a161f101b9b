// Long work (import, download, export, drafting) as the renderer sees it: one record per job,
// published on every change, cancellable by id.
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  /** unknown until the work knows it */
  total?: number;
  unit: 'bytes' | 'items' | 'steps';
  /** what it is doing now, in a few words */
  stage?: string;
}

export interface Job {
  id: string;
  kind: 'import' | 'export' | 'download' | 'upload' | 'onnx-export' | 'draft' | 'train' | 'eval';
  label: string;
  status: JobStatus;
  progress: JobProgress;
  startedAt: number;
  endedAt?: number;
  error?: string;
  /** what the work returned, when done (JSON) */
  result?: unknown;
}

/** A file a job made for the person to take away (browser door: GET api/download/<id> with the token). */
export interface DownloadTicket {
  id: string;
  fileName: string;
  bytes: number;
}
