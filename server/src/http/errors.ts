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
  'unknown-case': { status: 404, message: 'No such case.' },
  'unknown-maintenance-window': { status: 404, message: 'No such maintenance window.' },
  'unknown-notification': { status: 404, message: 'No such notification.' },
  'case-state-conflict': { status: 409, message: 'The case is not in a state that allows this.' },
  'rate-limited': { status: 429, message: 'Too many requests; slow down.' },
  'unauthenticated': { status: 401, message: 'Log in first (session cookie or an API token in the Authorization header).' },
  'forbidden': { status: 403, message: 'Your role does not allow this.' },
  'cross-origin': { status: 403, message: 'This request came from another site; it was refused.' },
  'login-failed': { status: 401, message: 'Wrong username or password.' },
  'login-locked': { status: 429, message: 'Too many failed logins; this account is locked for a while.' },
  'unknown-user': { status: 404, message: 'No such user.' },
  'user-exists': { status: 409, message: 'A user with this name exists already.' },
  'unknown-token': { status: 404, message: 'No such API token.' },
  'token-name-taken': { status: 409, message: 'An API token with this name exists already.' },
  'last-admin': { status: 409, message: 'This would leave no active admin.' },
  'unavailable': { status: 503, message: 'A component the server needs is unavailable.' },
  'invalid-site-config': { status: 400, message: 'The site config has problems; see "problems".' },
  'agent-offline': { status: 409, message: 'The site\'s agent is offline; it cannot take a command now.' },
  'command-failed': { status: 502, message: 'The agent ran the command and reported a failure.' },
  'command-timeout': { status: 504, message: 'The agent did not answer the command in time.' },
  'broker-unavailable': { status: 503, message: 'The server is not connected to the MQTT broker.' },
  'internal': { status: 500, message: 'Something went wrong on the server; it has been logged.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; [more: string]: unknown };
}

/** Throw this from a route; the error handler turns it into the catalogue's status and body. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  /** Extra members of the error body (e.g. a config's `problems`, a command's `result`). */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message?: string, field?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.code = code;
    this.field = field;
    this.details = details;
  }
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
  toBody(): ErrorBody {
    return { error: { ...this.details, code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
