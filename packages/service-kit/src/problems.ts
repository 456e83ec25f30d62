// RFC 9457 problem details: every error a client can see, created in one place, each with a
// stable `type` (a URI reference ending in the problem's slug) and status. A slug is never
// reused for a different meaning.
import { isDatabaseUnavailable } from '@placements/event-store';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  /** Where the bad value is: `body.child.dateOfBirth`, `query.limit`, `header.if-match`. */
  path: string;
  message: string;
}

export interface ProblemOptions {
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra members of the problem object (RFC 9457 extensions), e.g. a link to an existing resource. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** An error that becomes a problem+json response. */
export class ProblemError extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, slug: string, title: string, options: ProblemOptions = {}) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = 'ProblemError';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  get type(): string {
    return problemType(this.slug);
  }
}

export function problemType(slug: string): string {
  return `/problems/${slug}`;
}

/** The problem+json body as API.md documents it. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export const problems = {
  validation: (errors: FieldError[], detail?: string) =>
    new ProblemError(400, 'validation-failed', 'The request is not valid', {
      errors,
      detail: detail ?? `${errors.length} field${errors.length === 1 ? '' : 's'} failed validation`,
    }),
  unauthorized: (detail: string) =>
    new ProblemError(401, 'unauthorized', 'Authentication required', {
      detail,
      headers: { 'www-authenticate': 'Bearer' },
    }),
  forbidden: (detail: string) => new ProblemError(403, 'forbidden', 'Not allowed', { detail }),
  notFound: (what: string) =>
    new ProblemError(404, 'not-found', 'Not found', { detail: `${what} was not found` }),
  conflict: (slug: string, title: string, options?: ProblemOptions) =>
    new ProblemError(409, slug, title, options),
  preconditionFailed: (detail: string) =>
    new ProblemError(412, 'precondition-failed', 'The resource has changed', { detail }),
  preconditionRequired: (detail: string) =>
    new ProblemError(428, 'precondition-required', 'An If-Match header is required', { detail }),
  unprocessable: (slug: string, title: string, options?: ProblemOptions) =>
    new ProblemError(422, slug, title, options),
  unavailable: (detail: string) =>
    new ProblemError(503, 'service-unavailable', 'Temporarily unavailable', {
      detail,
      headers: { 'retry-after': '5' },
    }),
};

export function problemBody(problem: ProblemError, instance?: string): Record<string, unknown> {
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    ...(instance ? { instance } : {}),
    ...(problem.errors ? { errors: problem.errors } : {}),
    ...problem.extensions,
  };
}

export function sendProblem(
  reply: FastifyReply,
  problem: ProblemError,
  request?: FastifyRequest,
): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemBody(problem, request ? request.url.split('?')[0] : undefined));
}

const PART_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

interface ZodIssueLike {
  instancePath: string;
  message: string;
  keyword: string;
  params: { keys?: string[] };
}

/** Zod issues from the type provider, one entry per bad field (unknown fields each named). */
export function fieldErrorsFromValidation(
  validation: ZodIssueLike[],
  context: string | undefined,
): FieldError[] {
  const part = PART_NAMES[context ?? 'body'] ?? context ?? 'body';
  const errors: FieldError[] = [];
  for (const issue of validation) {
    const base = [part, ...issue.instancePath.split('/').filter(Boolean)].join('.');
    if (issue.keyword === 'unrecognized_keys' && issue.params.keys) {
      for (const key of issue.params.keys) errors.push({ path: `${base}.${key}`, message: 'unknown field' });
    } else {
      errors.push({ path: base, message: issue.message });
    }
  }
  return errors;
}

export { isDatabaseUnavailable };

/** Maps anything thrown by a route to a problem. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fastifyError)) {
    return problems.validation(
      fieldErrorsFromValidation(
        fastifyError.validation as unknown as ZodIssueLike[],
        fastifyError.validationContext,
      ),
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', {
        detail: 'send the body as application/json',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'payload-too-large', 'The request body is too large', {
        detail: fastifyError.message,
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problems.validation([{ path: 'body', message: 'a JSON body is required' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problems.validation([{ path: 'body', message: fastifyError.message }]);
    case 'FST_ERR_VALIDATION':
      return problems.validation([{ path: 'request', message: fastifyError.message }]);
    default:
      break;
  }
  if ((fastifyError as { code?: string }).code === 'STREAM_VERSION_CONFLICT') {
    return problems.conflict('concurrent-update', 'Changed by another request', {
      detail: 'the resource changed while this request was processed; read it again and retry',
    });
  }
  if (fastifyError instanceof SyntaxError || fastifyError.statusCode === 400) {
    return problems.validation([{ path: 'body', message: fastifyError.message }]);
  }
  if (isDatabaseUnavailable(error)) return problems.unavailable('the database is unavailable; retry shortly');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new ProblemError(fastifyError.statusCode, 'bad-request', 'Bad request', {
      detail: fastifyError.message,
    });
  }
  return new ProblemError(500, 'internal-error', 'Internal error', {
    detail: 'an unexpected error occurred; it has been logged',
    cause: error,
  });
}
