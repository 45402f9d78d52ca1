// HTTP routes of /v1/tasks/{id}/deadline-changes: requests, direct changes, decisions and withdrawals.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ActionHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import {
  CreateDeadlineChangeSchema,
  DeadlineChangePageSchema,
  DeadlineChangeParamsSchema,
  DeadlineChangeSchema,
  DeadlineDecisionSchema,
  ListDeadlineChangesQuerySchema,
  WithdrawDeadlineChangeSchema,
} from './deadline-changes.schemas.js';
import { createDeadlineChangeService } from './deadline-changes.service.js';

const tags = ['Deadline changes'];

const deadlineChangeRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createDeadlineChangeService({ db: app.db, clock: app.clock });

  app.get(
    '/tasks/:id/deadline-changes',
    {
      schema: {
        operationId: 'listDeadlineChanges',
        tags,
        summary: 'List the deadline changes of a task',
        description:
          'Every request (pending, approved, rejected or withdrawn) and direct change of the task\'s deadline, oldest first. ' +
          'Nothing is ever removed: a withdrawn request stays, with who withdrew it and when.',
        params: IdParamsSchema,
        querystring: ListDeadlineChangesQuerySchema,
        response: { 200: DeadlineChangePageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.list(request.params.id, request.query),
  );

  app.post(
    '/tasks/:id/deadline-changes',
    {
      schema: {
        operationId: 'createDeadlineChange',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Ask for a new deadline, or change it directly',
        description:
          'kind=request: an executor of the task (or the secretariat) asks for a new date, not in the past (422), with a reason; it stays ' +
          'pending until decided. kind=direct: the secretariat moves the date at once, with a reason and, optionally, its basis (a protocol item). Only in ' +
          'an approved plan, on a task neither closed nor cancelled, a request not on a task reported done (its completion is ' +
          'judged against the deadline it had), and with no other request pending (409: it is decided, or withdrawn, first). A later ' +
          'date counts as a postponement.',
        params: IdParamsSchema,
        body: CreateDeadlineChangeSchema,
        response: { 201: DeadlineChangeSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.taskStateConflict, ERRORS.deadlineChangeConflict, ERRORS.invalidValue) },
      },
    },
    async (request, reply) => {
      const change = service.create(request.params.id, request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/tasks/${change.taskId}/deadline-changes/${change.id}`), change, 201);
    },
  );

  app.get(
    '/tasks/:id/deadline-changes/:changeId',
    {
      schema: {
        operationId: 'getDeadlineChange',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a deadline change',
        description: 'Returns one deadline change of the task.',
        params: DeadlineChangeParamsSchema,
        response: { 200: DeadlineChangeSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id, request.params.changeId)),
  );

  app.post(
    '/tasks/:id/deadline-changes/:changeId/decision',
    {
      schema: {
        operationId: 'decideDeadlineChange',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Approve or reject a deadline request',
        description:
          'The secretariat decides a pending request, with its basis. Approving moves the task\'s deadline (and counts ' +
          'a postponement if later); rejecting keeps it. A request is decided once (409 after); once its task is closed or ' +
          'cancelled it is only rejected (409). One asked before the task was reported done may still be approved: it was asked in time.',
        params: DeadlineChangeParamsSchema,
        body: DeadlineDecisionSchema,
        response: { 200: DeadlineChangeSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.deadlineChangeConflict, ERRORS.planStateConflict, ERRORS.taskStateConflict) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.decide(request.params.id, request.params.changeId, request.body, writeContext(request))),
  );

  app.post(
    '/tasks/:id/deadline-changes/:changeId/withdrawal',
    {
      schema: {
        operationId: 'withdrawDeadlineChange',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Withdraw a pending deadline request',
        description:
          'The organization that asked for a new deadline (any key of it), or the secretariat, takes back a request still ' +
          'pending, with an optional comment (send {} for none): the date asked for was wrong, or the work caught up. It is kept, with status ' +
          'withdrawn, withdrawnBy and withdrawnAt, and no decision (decidedBy stays null); the deadline, the postponements and ' +
          "the co-chairs' report are as before, and the task may take a new request at once. Another organization, even an " +
          'executor of the task, is refused (403), and so is a request the secretariat asked for. Only a pending request ' +
          '(409 once approved, rejected, withdrawn, or for a direct change), only while its plan is approved (a closed plan is ' +
          'read-only: 409). Raises deadline_change.decided with status withdrawn.',
        params: DeadlineChangeParamsSchema,
        body: WithdrawDeadlineChangeSchema,
        response: { 200: DeadlineChangeSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.deadlineChangeConflict, ERRORS.planStateConflict) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.withdraw(request.params.id, request.params.changeId, request.body, writeContext(request))),
  );
};

export default deadlineChangeRoutes;
