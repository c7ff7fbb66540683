// One catalogue of the error codes the API returns. Every error body is
// { "error": { "code": "<stable code>", "message": "<for a person>", "field"?: "<path>" } } — never a stack.
export const ERROR_CATALOGUE = {
  'validation-failed': { status: 400, message: 'The request is not valid.' },
  'bad-json': { status: 400, message: 'The request body is not valid JSON.' },
  'payload-too-large': { status: 413, message: 'The request body is too large.' },
  'unsupported-media-type': { status: 415, message: 'Send the body as application/json.' },
  'not-found': { status: 404, message: 'No such resource.' },
  'unknown-site': { status: 404, message: 'No such site.' },
  'unknown-device': { status: 404, message: 'No such device.' },
  'rate-limited': { status: 429, message: 'Too many requests; slow down.' },
  'unavailable': { status: 503, message: 'A component the server needs is unavailable.' },
  'internal': { status: 500, message: 'Something went wrong on the server; it has been logged.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

/** Throw this from a route; the error handler turns it into the catalogue's status and body. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message?: string, field?: string) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.code = code;
    this.field = field;
  }
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
