// HTTP routes of /v1/tasks/{id}/reports: progress reports of the executors, their revisions and reviews.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ActionHeadersSchema,
  ChangeHeadersSchema,
  CreateHeadersSchema,
  IdParamsSchema,
  ReadHeadersSchema,
  problemResponses,
} from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  ListTaskReportsQuerySchema,
  ReviewTaskReportSchema,
  ReviseTaskReportSchema,
  SubmitTaskReportSchema,
  TaskReportPageSchema,
  TaskReportParamsSchema,
  TaskReportSchema,
} from './task-reports.schemas.js';
import { createTaskReportService } from './task-reports.service.js';

const tags = ['Progress reports'];

const taskReportRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createTaskReportService({ db: app.db, clock: app.clock });

  app.get(
    '/tasks/:id/reports',
    {
      schema: {
        operationId: 'listTaskReports',
        tags,
        summary: 'List the progress reports of a task',
        description: 'Every progress report on the task, by period then organization, filtered by period, organization and status.',
        params: IdParamsSchema,
        querystring: ListTaskReportsQuerySchema,
        response: { 200: TaskReportPageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.list(request.params.id, request.query),
  );

  app.post(
    '/tasks/:id/reports',
    {
      schema: {
        operationId: 'submitTaskReport',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Submit a progress report',
        description:
          'One executing organization reports on the task for one period: percent complete, red/amber/green delivery ' +
          'confidence, narrative and risks. Only in an approved plan, on a task neither closed nor cancelled (409). ' +
          'A ministry key reports for its own organization; the secretariat names an assignee (422 otherwise). The ' +
          "period is written in the plan's reporting frequency (\"2026-Q4\" quarterly, \"2026-11\" monthly), overlaps " +
          "the plan's period (or, for a task postponed past the plan's end, runs up to the task's due date) and has " +
          "begun by today in the commission's time zone (422). One report per " +
          'organization and period: a second is refused with 409 — revise the first instead.',
        params: IdParamsSchema,
        body: SubmitTaskReportSchema,
        response: { 201: TaskReportSchema, ...problemResponses(400, 403, 404, 413, 415, ERRORS.planStateConflict, ERRORS.taskStateConflict, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => {
      const report = service.submit(request.params.id, request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/tasks/${report.taskId}/reports/${report.id}`), report, 201);
    },
  );

  app.get(
    '/tasks/:id/reports/:reportId',
    {
      schema: {
        operationId: 'getTaskReport',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a progress report',
        description: 'Returns one progress report of the task, with its submission deadline and review.',
        params: TaskReportParamsSchema,
        response: { 200: TaskReportSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id, request.params.reportId)),
  );

  app.patch(
    '/tasks/:id/reports/:reportId',
    {
      schema: {
        operationId: 'reviseTaskReport',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Revise a progress report',
        description:
          "Changes the fields given and submits the report again for review: its revision goes up by one and the last " +
          "review is cleared. Only by the reporting organization's ministry key or the secretariat (403), while the " +
          'report is submitted or returned — an accepted report is final (409) — in an approved plan, on a task ' +
          'neither closed nor cancelled (409).',
        params: TaskReportParamsSchema,
        body: ReviseTaskReportSchema,
        response: { 200: TaskReportSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.taskStateConflict) },
      },
    },
    async (request, reply) =>
      sendResource(request, reply, service.revise(request.params.id, request.params.reportId, request.body, writeContext(request))),
  );

  app.post(
    '/tasks/:id/reports/:reportId/review',
    {
      schema: {
        operationId: 'reviewTaskReport',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Accept or return a progress report',
        description:
          'The secretariat or a co-chair reviews a submitted report (409 otherwise): accepted makes it final; returned, ' +
          'with a comment saying why, sends it back to its organization for revision. Only in an approved plan; a ' +
          'report of a closed or cancelled task, or of an organization since taken off the task, can be accepted but not ' +
          'returned (409).',
        params: TaskReportParamsSchema,
        body: ReviewTaskReportSchema,
        response: { 200: TaskReportSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.taskStateConflict) },
      },
    },
    async (request, reply) =>
      sendResource(request, reply, service.review(request.params.id, request.params.reportId, request.body, writeContext(request))),
  );
};

export default taskReportRoutes;
