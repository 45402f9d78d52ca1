// Who may do what: the one table of operation × role, and the checks every request passes through.
// The auth plugin asks `authorizeRole` once the key is known and `authorizeObject` once the request is
// validated; the OpenAPI document renders the same table into each operation. Services keep only the
// domain rules that depend on a task's state (which transition belongs to its executors), and the scoping
// of lists (a ministry lists its own organization's webhook subscriptions).
import { ROLES, type Role } from '../db/enums.js';
import { AppError, ERRORS } from '../errors.js';

export interface Actor {
  /** The API key the caller used; null for the command line and the bootstrap. */
  keyId: string | null;
  role: Role;
  /** The organization a ministry key is bound to; null for other roles. */
  organizationId: string | null;
}

/** What a request carries that an object-level rule may look at, after validation. */
export interface RequestFacts {
  params: Record<string, unknown>;
  body: unknown;
}

/**
 * What the path names that a ministry key may act on only when it is its organization's: `task`, the task `{id}`
 * (its organization is an assignee); `taskReport`, the report `{reportId}` of that task (made for its organization);
 * `deadlineChange`, the deadline change `{changeId}` of that task (asked for by its organization; one the secretariat asked
 * for is no ministry's); `webhook`, the subscription `{id}` (filtered to its organization).
 */
export type OwnedObject = 'task' | 'taskReport' | 'deadlineChange' | 'webhook';

/** The organizations an object belongs to, or null when there is no such object (the handler then answers 404). */
export type OwnersOf = (object: OwnedObject, params: Record<string, unknown>) => readonly string[] | null;

export interface AccessRule {
  /** Roles that may call the operation; `public` needs no key at all. */
  readonly roles: readonly Role[] | 'public';
  /**
   * For ministry keys: the objects named by the path that must be their organization's, checked in this order.
   * Secretariat keys pass; other roles are already refused by `roles`.
   */
  readonly owns?: readonly OwnedObject[];
  /** A refinement on the validated request, returning why it is refused or null. */
  readonly refine?: (actor: Actor, request: RequestFacts) => string | null;
  /** How the rule reads in the OpenAPI document, when roles alone do not say it. */
  readonly note?: string;
}

const EVERY_KEY = ROLES;
const SECRETARIAT = ['secretariat'] as const satisfies readonly Role[];
const PUBLIC = { roles: 'public' } as const satisfies AccessRule;
const READ = { roles: EVERY_KEY } as const satisfies AccessRule;
const ADMIN = { roles: SECRETARIAT } as const satisfies AccessRule;
/** The roles that read everything (DESIGN.md §3): the secretariat and the co-chairs. */
const OVERSIGHT = { roles: ['secretariat', 'co_chair'] } as const satisfies AccessRule;
/** The secretariat on any task, a ministry on the tasks its organization executes. */
const TASK_WORK = {
  roles: ['secretariat', 'ministry'],
  owns: ['task'],
  note: 'a ministry key only on tasks its organization is an assignee of',
} as const satisfies AccessRule;

/** For a ministry key: an `organizationId` in the body, when given, must be its own; else it is refused with `refusal`. */
const ownOrganizationInBody =
  (refusal: string) =>
  (actor: Actor, request: RequestFacts): string | null => {
    if (actor.role !== 'ministry') return null;
    const named = (request.body as { organizationId?: unknown } | undefined)?.organizationId;
    return named !== undefined && named !== actor.organizationId ? refusal : null;
  };

/** Webhook subscriptions: the secretariat manages all; a ministry key lists and manages only its own organization's. */
const WEBHOOKS_NOTE =
  "a ministry key sees and manages only its own organization's subscriptions, and every subscription it creates is " +
  "filtered to its organization's tasks; another organization's subscription is 403";
const WEBHOOK_LIST = { roles: ['secretariat', 'ministry'], note: WEBHOOKS_NOTE } as const satisfies AccessRule;
const WEBHOOK = { ...WEBHOOK_LIST, owns: ['webhook'] } as const satisfies AccessRule;
const NOT_OWN_SUBSCRIPTION = "a ministry key subscribes to its own organization's tasks only: leave organizationId out or give your own";

/** Every operation of the API and who may call it. A route without an entry here refuses to start. */
export const POLICY = {
  getHealth: PUBLIC,

  listCommissions: READ,
  getCommission: READ,
  createCommission: ADMIN,
  updateCommission: ADMIN,

  listOrganizations: READ,
  getOrganization: READ,
  createOrganization: ADMIN,
  updateOrganization: ADMIN,

  listMeetings: READ,
  getMeeting: READ,
  createMeeting: ADMIN,
  updateMeeting: ADMIN,

  listPlans: READ,
  getPlan: READ,
  createPlan: ADMIN,
  updatePlan: ADMIN,
  approvePlan: ADMIN,
  closePlan: ADMIN,
  listPlanHistory: READ,
  getPlanImportTemplate: READ,
  previewPlanImport: ADMIN,
  commitPlanImport: ADMIN,

  listTasks: READ,
  getTask: READ,
  createTask: ADMIN,
  updateTask: ADMIN,
  deleteTask: ADMIN,
  transitionTask: {
    ...TASK_WORK,
    note: `${TASK_WORK.note}; which transitions belong to executors and which to the secretariat is the status table above`,
  },
  listTaskTransitions: READ,
  listTaskHistory: READ,

  listDeadlineChanges: READ,
  getDeadlineChange: READ,
  createDeadlineChange: {
    ...TASK_WORK,
    note: `${TASK_WORK.note}; a direct change (kind "direct") is the secretariat's only`,
    refine: (actor, request) =>
      (request.body as { kind?: string } | undefined)?.kind === 'direct' && actor.role !== 'secretariat'
        ? 'only the secretariat changes a deadline directly; ask for it with kind "request"'
        : null,
  },
  decideDeadlineChange: ADMIN,
  withdrawDeadlineChange: {
    ...TASK_WORK,
    owns: ['task', 'deadlineChange'],
    note: `${TASK_WORK.note}, on a request its own organization asked for`,
  },

  listTaskReports: READ,
  getTaskReport: READ,
  submitTaskReport: {
    ...TASK_WORK,
    note: `${TASK_WORK.note}, for its own organization; the secretariat may submit for any assignee`,
    refine: ownOrganizationInBody('a ministry key reports only for its own organization: leave organizationId out or give your own'),
  },
  reviseTaskReport: { ...TASK_WORK, owns: ['task', 'taskReport'], note: `${TASK_WORK.note}, on its own organization's report` },
  reviewTaskReport: { roles: ['secretariat', 'co_chair'] },

  listIndicators: READ,
  getIndicator: READ,
  createIndicator: ADMIN,
  updateIndicator: ADMIN,
  deleteIndicator: ADMIN,
  recordIndicatorValue: ADMIN,
  withdrawIndicatorValue: ADMIN,

  getProgressReport: READ,
  getCalendar: READ,

  listShareLinks: OVERSIGHT,
  createShareLink: ADMIN,
  getShareLink: OVERSIGHT,
  revokeShareLink: ADMIN,
  /** The link's own secret is the credential: checked by the share-links module, never an API key. */
  openShareLink: PUBLIC,

  listHistory: OVERSIGHT,

  listApiKeys: OVERSIGHT,
  createApiKey: ADMIN,
  getApiKey: OVERSIGHT,
  revokeApiKey: ADMIN,
  getCurrentApiKey: READ,

  // Webhooks are for the systems that act on tasks: the secretariat's and the ministries'. Not read by co-chairs
  // either: a receiver's URL may carry its credentials (the whole history shows them only its origin).
  listWebhooks: WEBHOOK_LIST,
  createWebhook: { ...WEBHOOK_LIST, refine: ownOrganizationInBody(NOT_OWN_SUBSCRIPTION) },
  getWebhook: WEBHOOK,
  updateWebhook: { ...WEBHOOK, refine: ownOrganizationInBody(NOT_OWN_SUBSCRIPTION) },
  deleteWebhook: WEBHOOK,
  rotateWebhookSecret: WEBHOOK,
  pingWebhook: WEBHOOK,
  listWebhookDeliveries: WEBHOOK,
  getWebhookDelivery: WEBHOOK,
  redeliverWebhookDelivery: WEBHOOK,
  redeliverFailedWebhookDeliveries: WEBHOOK,
  replayWebhookEvents: WEBHOOK,
} as const satisfies Record<string, AccessRule>;

export type OperationId = keyof typeof POLICY;

export function ruleOf(operationId: string | undefined): AccessRule | undefined {
  return operationId !== undefined && Object.hasOwn(POLICY, operationId) ? POLICY[operationId as OperationId] : undefined;
}

const forbidden = (detail: string) => new AppError(ERRORS.forbidden, detail);

/** Step one, before the request is parsed: may this role call this operation at all? */
export function authorizeRole(rule: AccessRule, actor: Actor, operationId: string): void {
  if (rule.roles === 'public' || rule.roles.includes(actor.role)) return;
  const article = /^[aeiou]/.test(actor.role) ? 'an' : 'a';
  throw forbidden(`${article} ${actor.role} key may not ${operationId}: it is for ${rule.roles.join(' or ')} keys`);
}

const NOT_OWN: Record<OwnedObject, string> = {
  task: "this task is not executed by your organization: a ministry key changes only its own organization's tasks",
  taskReport: "this report is another organization's: a ministry key revises only its own organization's reports",
  deadlineChange:
    "this deadline request was not asked for by your organization: a ministry key withdraws only its own organization's requests",
  webhook:
    "this webhook subscription belongs to another organization: a ministry key sees and manages only its own organization's subscriptions",
};

/**
 * Step two, on the validated request: the object-level rule. `ownersOf` reads the organizations an object
 * named by the path belongs to; an object that does not exist passes (the handler then answers 404).
 */
export function authorizeObject(rule: AccessRule, actor: Actor, request: RequestFacts, ownersOf: OwnersOf): void {
  if (actor.role === 'ministry') {
    for (const object of rule.owns ?? []) {
      const owners = ownersOf(object, request.params);
      if (owners !== null && (actor.organizationId === null || !owners.includes(actor.organizationId))) throw forbidden(NOT_OWN[object]);
    }
  }
  const refusal = rule.refine?.(actor, request) ?? null;
  if (refusal !== null) throw forbidden(refusal);
}

/** How the rule reads for people: the line each operation's OpenAPI description ends with. */
export function describeRule(rule: AccessRule): string {
  if (rule.roles === 'public') return '**Access:** public, no API key needed.';
  const roles = rule.roles.length === EVERY_KEY.length ? 'any API key' : rule.roles.map((r) => `\`${r}\``).join(', ');
  return `**Access:** ${roles}${rule.note ? ` (${rule.note})` : ''}.`;
}

/** How a caller stands towards one task: one of its executors, the secretariat, or neither. */
export type TaskParty = 'executor' | 'secretariat';

/** A ministry is an executor of a task only when its organization is one of the task's assignees. */
export function taskPartyOf(actor: Actor, assignees: readonly { organizationId: string }[]): TaskParty | null {
  if (actor.role === 'secretariat') return 'secretariat';
  if (actor.role === 'ministry' && actor.organizationId !== null && assignees.some((a) => a.organizationId === actor.organizationId)) {
    return 'executor';
  }
  return null;
}
