// HTTP routes of /v1/tasks and their status transitions: thin handlers from request to service and back.
import { ERRORS } from '../../errors.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ActionHeadersSchema, ChangeHeadersSchema, CreateHeadersSchema, ReadHeadersSchema, IdParamsSchema, problemResponses } from '../../lib/common.schemas.js';
import { sendResource, writeContext } from '../../lib/http.js';
import { TASK_TRANSITIONS } from './task-status.js';
import {
  CreateTaskSchema,
  ListStatusChangesQuerySchema,
  ListTasksQuerySchema,
  StatusChangePageSchema,
  TaskPageSchema,
  TaskSchema,
  TransitionRequestSchema,
  UpdateTaskSchema,
} from './tasks.schemas.js';
import { createTaskService } from './tasks.service.js';

const tags = ['Tasks'];

/** The transition table, rendered for the OpenAPI description so integrators see the same rules. */
const transitionTable = TASK_TRANSITIONS.map(
  (t) => `| ${t.from} | ${t.to} | ${t.action} | ${t.by.map((p) => (p === 'executor' ? 'executors' : 'secretariat')).join(', ')} |`,
).join('\n');

const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  const service = createTaskService({ db: app.db, clock: app.clock });

  app.get(
    '/tasks',
    {
      schema: {
        operationId: 'listTasks',
        tags,
        summary: 'List tasks',
        description:
          'Lists tasks by plan, then code in numbering order ("2.9" before "2.10"), filtered by plan, executing ' +
          'organization, party, area, status, overdue state, due-date range and free text. Overdue is computed ' +
          'against "today" in each commission\'s time zone, or for the tasks of a closed plan against the day it was ' +
          'closed, as a task\'s own `overdue` is.',
        querystring: ListTasksQuerySchema,
        response: { 200: TaskPageSchema, ...problemResponses(400) },
      },
      // The same for every reader; dashboards and ministry systems poll the same filters.
      config: { responseCache: true },
    },
    async (request) => service.list(request.query),
  );

  app.post(
    '/tasks',
    {
      schema: {
        operationId: 'createTask',
        headers: CreateHeadersSchema,
        tags,
        summary: 'Create a task',
        description:
          'Adds a measure to a plan that is not closed. The code must be unique in the plan; at least one assignee ' +
          'is the lead; every assignee must be an organization of one of the commission\'s two parties; the basis ' +
          'meeting must be of the same commission. New tasks start as not_started.',
        body: CreateTaskSchema,
        response: { 201: TaskSchema, ...problemResponses(400, 403, 413, 415, ERRORS.planStateConflict, ERRORS.duplicateTaskCode, ERRORS.unknownReference, ERRORS.invalidValue, ERRORS.invalidAssignees) },
      },
    },
    async (request, reply) => {
      const task = service.create(request.body, writeContext(request));
      return sendResource(request, reply.header('location', `/v1/tasks/${task.id}`), task, 201);
    },
  );

  app.get(
    '/tasks/:id',
    {
      schema: {
        operationId: 'getTask',
        headers: ReadHeadersSchema,
        tags,
        summary: 'Read a task',
        description: 'Returns one task with its assignees, derived overdue state and, once closed, whether it was done on time.',
        params: IdParamsSchema,
        response: { 200: TaskSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.get(request.params.id)),
  );

  app.patch(
    '/tasks/:id',
    {
      schema: {
        operationId: 'updateTask',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Update a task',
        description:
          'Changes the fields given. Refused with 409 when the plan is closed, for the due date once the plan is ' +
          'approved (use deadline changes), and for assignees that leave out an organization whose deadline request is ' +
          'pending on the task (decide or withdraw it first). Status changes only through transitions.',
        params: IdParamsSchema,
        body: UpdateTaskSchema,
        response: { 200: TaskSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.duplicateTaskCode, ERRORS.taskStateConflict, ERRORS.unknownReference, ERRORS.invalidValue, ERRORS.invalidAssignees) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.update(request.params.id, request.body, writeContext(request))),
  );

  app.delete(
    '/tasks/:id',
    {
      schema: {
        operationId: 'deleteTask',
        headers: ChangeHeadersSchema,
        tags,
        summary: 'Delete a task of a draft plan',
        description: 'Deletes a task while its plan is a draft. Tasks of approved or closed plans are never deleted (409): cancel them instead.',
        params: IdParamsSchema,
        response: { 204: z.null().describe('Deleted.'), ...problemResponses(400, 403, 404, 412, ERRORS.planStateConflict) },
      },
    },
    async (request, reply) => {
      service.remove(request.params.id, writeContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/tasks/:id/transitions',
    {
      schema: {
        operationId: 'transitionTask',
        headers: ActionHeadersSchema,
        tags,
        summary: 'Move a task to another status',
        description:
          'Takes one transition of the status machine, only in an approved plan. Anything not in this table is ' +
          'refused with 409 and changes nothing; a listed transition taken by someone it does not belong to is 403.\n\n' +
          '| from | to | meaning | who |\n|---|---|---|---|\n' +
          transitionTable,
        params: IdParamsSchema,
        body: TransitionRequestSchema,
        response: { 200: TaskSchema, ...problemResponses(400, 403, 404, 412, 413, 415, ERRORS.planStateConflict, ERRORS.illegalTransition) },
      },
    },
    async (request, reply) => sendResource(request, reply, service.transition(request.params.id, request.body, writeContext(request))),
  );

  app.get(
    '/tasks/:id/transitions',
    {
      schema: {
        operationId: 'listTaskTransitions',
        tags,
        summary: 'List the status transitions of a task',
        description: 'The log of every status transition of the task, oldest first, with who took it and why.',
        params: IdParamsSchema,
        querystring: ListStatusChangesQuerySchema,
        response: { 200: StatusChangePageSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.listTransitions(request.params.id, request.query),
  );
};

export default taskRoutes;
