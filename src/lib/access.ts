// Who may do what: the one table of operation × role, and the checks every request passes through.
// The auth plugin asks `authorizeRole` once the key is known and `authorizeObject` once the request is
// validated; the OpenAPI document renders the same table into each operation. Services keep only the
// domain rules that depend on a task's state (which transition belongs to its executors).
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

export interface AccessRule {
  /** Roles that may call the operation; `public` needs no key at all. */
  readonly roles: readonly Role[] | 'public';
  /**
   * For ministry keys: the task named by the path (`{id}`) must be one their organization executes.
   * Secretariat keys pass; other roles are already refused by `roles`.
   */
  readonly ownTask?: boolean;
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
/** The secretariat on any task, a ministry on the tasks its organization executes. */
const TASK_WORK = {
  roles: ['secretariat', 'ministry'],
  ownTask: true,
  note: 'a ministry key only on tasks its organization is an assignee of',
} as const satisfies AccessRule;

/** Webhook subscriptions: the secretariat manages all; a ministry key only its own organization's (checked by the service). */
const WEBHOOKS = {
  roles: ['secretariat', 'ministry'],
  note:
    "a ministry key sees and manages only its own organization's subscriptions, and every subscription it creates is " +
    "filtered to its organization's tasks; another organization's subscription is 403",
} as const satisfies AccessRule;

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

  listTaskReports: READ,
  getTaskReport: READ,
  submitTaskReport: {
    ...TASK_WORK,
    note: `${TASK_WORK.note}, for its own organization; the secretariat may submit for any assignee`,
  },
  reviseTaskReport: { ...TASK_WORK, note: `${TASK_WORK.note}, on its own organization's report` },
  reviewTaskReport: { roles: ['secretariat', 'co_chair'] },

  listIndicators: READ,
  getIndicator: READ,
  createIndicator: ADMIN,
  updateIndicator: ADMIN,
  recordIndicatorValue: ADMIN,

  getProgressReport: READ,
  getCalendar: READ,

  listShareLinks: ADMIN,
  createShareLink: ADMIN,
  getShareLink: ADMIN,
  revokeShareLink: ADMIN,
  /** The link's own secret is the credential: checked by the share-links module, never an API key. */
  openShareLink: PUBLIC,

  listHistory: { roles: ['secretariat', 'co_chair'] },

  listApiKeys: ADMIN,
  createApiKey: ADMIN,
  getApiKey: ADMIN,
  revokeApiKey: ADMIN,
  getCurrentApiKey: READ,

  // Webhooks are for the systems that act on tasks: the secretariat's and the ministries'. Which subscription a
  // ministry key may touch is an object-level rule POLICY cannot express (it is about the subscription, not a
  // task): the webhooks service enforces it.
  listWebhooks: WEBHOOKS,
  createWebhook: WEBHOOKS,
  getWebhook: WEBHOOKS,
  updateWebhook: WEBHOOKS,
  deleteWebhook: WEBHOOKS,
  rotateWebhookSecret: WEBHOOKS,
  pingWebhook: WEBHOOKS,
  listWebhookDeliveries: WEBHOOKS,
  getWebhookDelivery: WEBHOOKS,
  redeliverWebhookDelivery: WEBHOOKS,
} as const satisfies Record<string, AccessRule>;

export type OperationId = keyof typeof POLICY;

export function ruleOf(operationId: string | undefined): AccessRule | undefined {
  return operationId !== undefined && Object.hasOwn(POLICY, operationId) ? POLICY[operationId as OperationId] : undefined;
}

const forbidden = (detail: string) => new AppError(ERRORS.forbidden, detail);

/** Step one, before the request is parsed: may this role call this operation at all? */
export function authorizeRole(rule: AccessRule, actor: Actor, operationId: string): void {
  if (rule.roles === 'public' || rule.roles.includes(actor.role)) return;
  throw forbidden(`a ${actor.role} key may not ${operationId}: it is for ${rule.roles.join(' or ')} keys`);
}

/**
 * Step two, on the validated request: the object-level rule. `assigneesOf` reads the organizations
 * executing a task, or null when there is no such task (the handler then answers 404).
 */
export function authorizeObject(
  rule: AccessRule,
  actor: Actor,
  request: RequestFacts,
  assigneesOf: (taskId: string) => string[] | null,
): void {
  if (rule.ownTask && actor.role === 'ministry') {
    const assignees = assigneesOf(String(request.params.id));
    if (assignees !== null && (actor.organizationId === null || !assignees.includes(actor.organizationId))) {
      throw forbidden("this task is not executed by your organization: a ministry key changes only its own organization's tasks");
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
