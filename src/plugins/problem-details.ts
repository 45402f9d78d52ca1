// The one error path: every error, thrown anywhere, leaves as an RFC 9457 problem document.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, ERRORS, problemType, type ErrorSpec, type FieldError } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Fastify's own client errors, which we name in our catalog. Others keep their 4xx status. */
const FASTIFY_CODES: Record<string, ErrorSpec> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.bodyTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.unsupportedMediaType,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERRORS.malformedBody,
  FST_ERR_CTP_INVALID_JSON_BODY: ERRORS.malformedBody,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERRORS.malformedBody,
};

function toPath(context: string | undefined, instancePath: string): string {
  const field = instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  return [context ?? 'body', field].filter(Boolean).join('.');
}

function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  spec: ErrorSpec,
  detail: string,
  errors?: FieldError[],
  status = spec.status,
) {
  const body = {
    type: problemType(spec),
    title: spec.title,
    status,
    detail,
    // A read-only link's secret is its path: never echo it back where proxies may keep it.
    instance: (request.url.split('?')[0] ?? request.url).replace(/^\/v1\/links\/[^/]+/, '/v1/links/[secret]'),
    code: spec.code,
    requestId: String(request.id),
    ...(errors && errors.length > 0 ? { errors: errors.slice(0, 100) } : {}),
  };
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(body);
}

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
      if (error instanceof AppError) {
        if (error.headers) reply.headers(error.headers);
        return sendProblem(request, reply, error.spec, error.detail, error.errors);
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const errors = error.validation.map((v) => ({
          path: toPath(error.validationContext, v.instancePath),
          message: v.message ?? "invalid value",
        }));
        const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        return sendProblem(request, reply, ERRORS.validationFailed, detail, errors);
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (known) return sendProblem(request, reply, known, error.message);
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500 && error.code?.startsWith('FST_')) {
        // Fastify's client-error messages describe the request, never our internals.
        return sendProblem(request, reply, ERRORS.badRequest, error.message, undefined, status);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, ERRORS.internal, `an unexpected error occurred; quote request id ${request.id}`);
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, ERRORS.routeNotFound, `no route ${request.method} ${request.url.split('?')[0]}`),
    );
  },
  { name: 'problem-details' },
);
