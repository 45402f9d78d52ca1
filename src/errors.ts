// The catalog of errors a caller can see: each has a stable code, an HTTP status and a title.
// Services throw AppError; the problem-details plugin is the one place that turns errors into responses.

export interface ErrorSpec {
  /** Stable, documented identifier; also the last segment of the problem `type` URI. */
  readonly code: string;
  readonly status: number;
  readonly title: string;
  /** Other statuses it is sent with: Fastify's own client errors keep theirs (frameworkErrors, problem-details.ts). */
  readonly alsoStatuses?: readonly number[];
}

function spec(code: string, status: number, title: string): ErrorSpec {
  return { code, status, title };
}

export const ERRORS = {
  validationFailed: spec('validation-failed', 400, 'The request is not valid'),
  // 414: a path segment longer than the router reads (FST_ERR_MAX_PARAM_LENGTH).
  badRequest: { ...spec('bad-request', 400, 'Bad request'), alsoStatuses: [414] },
  malformedBody: spec('malformed-body', 400, 'The request body could not be parsed'),
  invalidCursor: spec('invalid-cursor', 400, 'The pagination cursor is not valid'),
  notFound: spec('not-found', 404, 'Resource not found'),
  routeNotFound: spec('route-not-found', 404, 'No such route'),
  methodNotAllowed: spec('method-not-allowed', 405, 'Method not allowed'),
  unauthorized: spec('unauthorized', 401, 'A valid API key is required'),
  forbidden: spec('forbidden', 403, 'Not allowed'),
  preconditionFailed: spec('precondition-failed', 412, 'The resource has changed since you read it'),
  idempotencyKeyReused: spec('idempotency-key-reused', 422, 'The idempotency key was used for a different request'),
  idempotencyInProgress: spec('idempotency-in-progress', 409, 'A request with this idempotency key is still in progress'),
  tooManyRequests: spec('too-many-requests', 429, 'Too many requests'),
  illegalTransition: spec('illegal-transition', 409, 'This status transition is not allowed'),
  planStateConflict: spec('plan-state-conflict', 409, 'The plan is not in a state that allows this'),
  taskStateConflict: spec('task-state-conflict', 409, 'The task is not in a state that allows this'),
  duplicateTaskCode: spec('duplicate-task-code', 409, 'A task with this code already exists in the plan'),
  duplicateOrganizationName: spec('duplicate-organization-name', 409, 'Another organization of the country has this name'),
  deadlineChangeConflict: spec('deadline-change-conflict', 409, 'The deadline change cannot be made now'),
  referenceInUse: spec('reference-in-use', 409, 'The resource is still referenced'),
  webhookHasDeliveries: spec('webhook-has-deliveries', 409, 'A subscription with deliveries keeps its organization'),
  webhookEventNotRedeliverable: spec('webhook-event-not-redeliverable', 409, 'The event is not sent again to this subscription'),
  unknownReference: spec('unknown-reference', 422, 'A referenced resource does not exist'),
  invalidAssignees: spec('invalid-assignees', 422, 'The assignees are not valid for this task'),
  invalidValue: spec('invalid-value', 422, 'A value is not acceptable'),
  invalidSpreadsheet: spec('invalid-spreadsheet', 422, 'The file is not a table the import can read'),
  importRowsInvalid: spec('import-rows-invalid', 422, 'Rows of the imported table have errors'),
  bodyTooLarge: spec('body-too-large', 413, 'The request body is too large'),
  unsupportedMediaType: spec('unsupported-media-type', 415, 'The request content type is not supported'),
  notAcceptable: spec('not-acceptable', 406, 'None of the media types the request accepts can be produced'),
  internal: spec('internal-error', 500, 'Internal server error'),
  unavailable: spec('service-unavailable', 503, 'The service is not available'),
  // Refused by Node's HTTP parser before any route is known (problem-details.ts, clientErrorHandler).
  malformedRequest: spec('malformed-request', 400, 'The request is not valid HTTP'),
  headersTooLarge: spec('headers-too-large', 431, 'The request line or headers are too large'),
  requestTimeout: spec('request-timeout', 408, 'The request did not arrive in time'),
  expectationFailed: spec('expectation-failed', 417, 'The expectation of the request cannot be met'),
} as const satisfies Record<string, ErrorSpec>;

const BY_CODE: ReadonlyMap<string, ErrorSpec> = new Map(Object.values(ERRORS).map((s) => [s.code, s]));

/** The spec of a problem code: a refusal that crossed a thread boundary (a worker's answer) is thrown again by it. */
export function specOf(code: string): ErrorSpec | undefined {
  return BY_CODE.get(code);
}

export const PROBLEM_TYPE_BASE = 'https://commission-plan-tracker.example/problems/';

export function problemType(s: ErrorSpec): string {
  return PROBLEM_TYPE_BASE + s.code;
}

export interface FieldError {
  /** Where the bad value is, e.g. `body.assignees.0.organizationId`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly spec: ErrorSpec,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Response headers the refusal needs, such as WWW-Authenticate or Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

export const notFound = (resource: string, id: string) =>
  new AppError(ERRORS.notFound, `${resource} ${JSON.stringify(id)} does not exist`);

export const unknownReference = (field: string, resource: string, id: string) =>
  new AppError(ERRORS.unknownReference, `${resource} ${JSON.stringify(id)} does not exist`, [
    { path: field, message: `no ${resource} with this id` },
  ]);

/**
 * Why the service cannot start, in words an operator acts on (a bad variable, a file it cannot open or write): the
 * entry point prints the message alone, without a stack trace, and exits 1.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
