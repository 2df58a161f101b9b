// The API contract between the renderer and the studio core: every method with its input schema
// (checked at the door, errors name the field) and its output type, and every event stream.
// Both doors (Electron IPC and the web server) serve exactly this; the renderer only sees it
// through StudioClient.
import { z } from 'zod';
import type { Job } from './jobs';
import type { SystemHealth, SystemInfo } from './system';

const noInput = z.object({}).strict();

/** Input schemas, by method name. */
export const methodInputs = {
  'system.info': noInput,
  'system.health': noInput,
  'jobs.list': noInput,
  'jobs.cancel': z.object({ id: z.string().uuid() }).strict(),
} as const;

/** Output types, by method name. */
export interface MethodOutputs {
  'system.info': SystemInfo;
  'system.health': SystemHealth;
  'jobs.list': Job[];
  'jobs.cancel': Job;
}

export type MethodName = keyof typeof methodInputs & keyof MethodOutputs;
export type MethodInput<M extends MethodName> = z.input<(typeof methodInputs)[M]>;
export type MethodOutput<M extends MethodName> = MethodOutputs[M];

/** Event payloads, by topic. */
export interface EventPayloads {
  /** something the person should see that did not come from a call of theirs */
  'studio.notice': { level: 'info' | 'warning' | 'error'; message: string };
  /** a background job started, progressed or ended */
  'job.updated': Job;
}
export type EventTopic = keyof EventPayloads;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methodInputs, name);
}

/** A failed call as it crosses a door: a stable code, a message for people, the field at fault. */
export interface ApiErrorBody {
  code: 'invalid_input' | 'unknown_method' | 'not_found' | 'conflict' | 'cancelled' | 'internal';
  message: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(readonly code: ApiErrorBody['code'], message: string, readonly field?: string) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

/** Validate a method's input; the error names the first offending field. */
export function parseMethodInput<M extends MethodName>(method: M, input: unknown): z.output<(typeof methodInputs)[M]> {
  const result = methodInputs[method].safeParse(input ?? {});
  if (result.success) return result.data as z.output<(typeof methodInputs)[M]>;
  const issue = result.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys ?? [] : [];
  const field = [...issue.path, ...keys.slice(0, 1)].map(String).join('.') || '(input)';
  throw new ApiError('invalid_input', `${method}: field "${field}": ${issue.message}`, field);
}
