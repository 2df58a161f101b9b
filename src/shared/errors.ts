// Failures as the studio reports them. One base class (ApiError) carries a stable code from one
// list; the stores' own errors extend it, so a failure's code is decided where it is thrown, never
// guessed later from a class name. Both doors send a failure in one shape (ErrorBody inside a
// DoorAnswer), and both clients turn that shape back into an ApiError the same way.

/** Every code a failure can have. */
export const ERROR_CODES = ['invalid_input', 'unknown_method', 'not_found', 'conflict', 'cancelled', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status the web door answers with for each code. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unknown_method: 404,
  not_found: 404,
  conflict: 409,
  cancelled: 409,
  internal: 500,
};

/** A failed call as it crosses a door: a stable code, a message for people, the field at fault. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
}

/** What a door sends back for one call: the method's result, or the failure. */
export type DoorAnswer<T = unknown> = { ok: true; result: T } | { ok: false; error: ErrorBody };

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) };
  }
}

/**
 * Any thrown thing as an ApiError: ours keep their code, the platform's AbortError (a cancelled
 * signal) is `cancelled`, anything else is `internal` with `context` before its message.
 */
export function asApiError(err: unknown, context?: string): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'AbortError') return new ApiError('cancelled', message);
  return new ApiError('internal', context ? `${context}: ${message}` : message);
}

/** The answer a door sends for a failure. */
export function failedAnswer(err: unknown): DoorAnswer<never> {
  return { ok: false, error: asApiError(err).toBody() };
}

/** The result inside a door's answer, or its failure thrown as an ApiError (the clients' side). */
export function answerResult<T>(answer: DoorAnswer<T>): T {
  if (answer.ok) return answer.result;
  const { code, message, field } = answer.error;
  throw new ApiError(ERROR_CODES.includes(code) ? code : 'internal', message, field);
}
