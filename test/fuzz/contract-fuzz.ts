// Contract fuzzing: requests generated from the app's own OpenAPI document (app.swagger()) with fast-check,
// valid values from each schema and mutators that break them, sent with every role's key, none, or garbage.
// Every response must be < 500; every 4xx a problem document; and no refused request may change the database.
// Used by test/fuzz.test.ts (short, fixed seed) and scripts/fuzz.ts (`npm run test:fuzz`, ≥ 10,000 requests).
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import type { App } from '../../src/app.js';
import { codesListedIn } from '../../src/plugins/openapi-document.js';
import { snapshot } from '../helper.js';
import { seedWorld, type World } from '../access/world.js';

type Schema = Record<string, any>;
type Arb = fc.Arbitrary<unknown>;

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Raw payload (string or bytes), or undefined for none. */
  payload?: string | Buffer;
}

export interface Violation {
  index: number;
  kind: '5xx' | 'not-a-problem' | 'undocumented-code' | 'db-changed' | 'inject-threw';
  operationId: string;
  status: number;
  detail: string;
  request: FuzzRequest;
}

export interface FuzzResult {
  seed: number;
  requests: number;
  histogram: Record<string, number>;
  violations: Violation[];
  skipped: number;
  /** Operations of the document no request got a 2xx from: their handlers were only ever refused before the end. */
  neverSucceeded: string[];
  /** Per operation: requests sent, 2xx answers, and the refusals of its clean requests by status and problem code. */
  perOperation: Record<string, OperationStats>;
  ms: number;
}

export interface OperationStats {
  sent: number;
  ok: number;
  clean: number;
  cleanRefusals: Record<string, number>;
  /** The problem detail of the first clean request refused for each reason. */
  cleanExamples: Record<string, string>;
}

interface Op {
  operationId: string;
  method: string;
  path: string;
  params: { name: string; in: string; required: boolean; schema: Schema }[];
  body?: { contentTypes: string[]; schema?: Schema; required: boolean };
  /** The problem codes each 409 and 422 response names: the conflicts a client of the operation branches on. */
  codes: Record<number, string[]>;
}

const HUGE = 100 * 1024;
/** Lone surrogates, RTL overrides, zero-width, NUL, combining marks, emoji, a BOM, Cyrillic look-alikes. */
const ODD_UNICODE = [
  '\u202Eevil\u202C',
  'a\u200Bb\u200Dc\uFEFF',
  '\u0000',
  'x\u0000y',
  '\uD800',
  '\uDFFF',
  'a\uDC00b',
  '\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  'раз два',
  '\u2028\u2029',
  '\t\r\n',
  '   ',
  "'; DROP TABLE tasks; --",
  '../../etc/passwd',
  '%00',
  '${7*7}{{7*7}}',
];
const BAD_UUIDS = [
  'not-an-id',
  '',
  '0',
  '019a7c2e-7a10-7000-8000-00000000001',
  '019a7c2e-7a10-7000-8000-0000000000100',
  '019A7C2E-7A10-7000-8000-000000000010',
  'g19a7c2e-7a10-7000-8000-000000000010',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '019a7c2e7a1070008000000000000010',
  '{019a7c2e-7a10-7000-8000-000000000010}',
];
const BAD_DATES = ['2026-02-30', '2026-02-29', '2026-13-01', '2026-00-10', '0000-00-00', '2026-2-3', '26-02-03', '2026-02-03T10:00:00Z', '9999-12-31', '0001-01-01', '+2026-01-01', '2026-04-31'];
const BAD_INSTANTS = ['2026-02-30T10:00:00Z', '2026-11-28T25:00:00Z', '2026-11-28 09:00:00', '2026-11-28T09:00:00', '2026-11-28T09:00:00+25:00', 'yesterday', '1e12'];
const BAD_CURSORS = ['', 'x', 'eyJ4IjoxfQ', 'eyJpZCI6Im5vcGUifQ==', '%%%', 'null', '{"id":1}', 'A'.repeat(4097), '\uD800', 'MTIz', '019a7c2e-7a10-7000-8000-000000000010'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', 'x', '1', [], [1], {}, { a: 1 }];

const huge = (ch = 'a') => ch.repeat(HUGE);
const text = fc.string({ maxLength: 20 });
const oddUnicode = fc.oneof(fc.constantFrom(...ODD_UNICODE), fc.string({ unit: 'binary', maxLength: 20 }));

function deref(doc: any, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

/** The operations of the running app, read from its OpenAPI document. */
export function operationsFrom(doc: any): Op[] {
  const ops: Op[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const params = (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, required: !!p.required, schema: deref(doc, p.schema) }));
      const content = op.requestBody?.content as Record<string, { schema?: Schema }> | undefined;
      const body = content
        ? {
            contentTypes: Object.keys(content),
            schema: content['application/json'] ? deref(doc, content['application/json'].schema) : undefined,
            required: !!op.requestBody.required,
          }
        : undefined;
      const codes = Object.fromEntries(
        [409, 422].map((status) => [status, codesListedIn(status, String(op.responses?.[status]?.description ?? '')).map((s) => s.code)]),
      );
      ops.push({ operationId: String(op.operationId), method: method.toUpperCase(), path, params, ...(body ? { body } : {}), codes });
    }
  }
  return ops;
}

/** Generators from the JSON Schema subset the app emits, with a pool of real ids for uuid fields. */
export class SchemaArbs {
  constructor(
    private readonly doc: any,
    /** Real ids, read as each value is drawn: the world is seeded anew during a run, the arbitraries are built once. */
    private readonly ids: () => readonly string[],
    /** Real ids by the body field that names them (planId: plans...), so a valid body names a thing of the right kind. */
    private readonly idsByField: Record<string, () => readonly string[]> = {},
  ) {}

  private s(schema: Schema | undefined) {
    return deref(this.doc, schema);
  }

  uuid(field?: string): Arb {
    const typed = field === undefined ? undefined : this.idsByField[field];
    // Real ids only: a link's token is in the pool of path values, but is no UUID.
    const uuids = () => this.ids().filter((id) => UUID.test(id));
    return fc.oneof(
      ...(typed?.().length ? [{ arbitrary: oneOfNow(typed), weight: 6 }] : []),
      { arbitrary: oneOfNow(uuids), weight: 2 },
      { arbitrary: fc.uuid(), weight: 1 },
    );
  }

  /** A value the schema accepts (as far as the schema alone says: references may still not exist). */
  valid(schema0: Schema | undefined, depth = 0, field?: string): Arb {
    const schema = this.s(schema0);
    if (depth > 6) return fc.constant(null);
    if ('const' in schema) return fc.constant(schema.const);
    const known = field === undefined ? undefined : this.knownField(schema, field, depth);
    if (known) return known;
    if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
    const alts = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(alts)) return fc.oneof(...alts.map((a: Schema) => this.valid(a, depth + 1, field)));
    if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((t: string) => this.valid({ ...schema, type: t }, depth + 1, field)));
    switch (schema.type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case 'string':
        return this.validString(schema, field);
      case 'array': {
        const min = schema.minItems ?? 0;
        const size = { minLength: min, maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)) };
        // An array of an enum's values: each at most once, as the app asks of event types and filters.
        const items = this.s(schema.items);
        if (Array.isArray(items.enum)) return fc.uniqueArray(fc.constantFrom(...items.enum), { ...size, maxLength: Math.min(size.maxLength, items.enum.length) });
        return fc.array(this.valid(schema.items, depth + 1), size);
      }
      case 'object':
      default: {
        const props = (schema.properties ?? {}) as Record<string, Schema>;
        const keys = Object.keys(props);
        if (keys.length === 0 && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          const names = schema.propertyNames ? this.valid(schema.propertyNames, depth + 1) : text;
          return fc.dictionary(names as fc.Arbitrary<string>, this.valid(schema.additionalProperties, depth + 1), { maxKeys: 3 });
        }
        if (keys.length === 0) return fc.constant({});
        return fc.record(Object.fromEntries(keys.map((k) => [k, this.valid(props[k], depth + 1, k)])), {
          requiredKeys: (schema.required ?? []) as never[],
        });
      }
    }
  }

  /**
   * Values the schema alone cannot tell, for the few fields whose rules live in code: an IANA time zone, a webhook
   * URL that is public without a name server (203.0.113.0/24, RFC 5737: nothing is ever sent there, and the worker is
   * off), two parties of different countries, a reporting period of the seeded plan. Only where the schema agrees.
   */
  private knownField(schema: Schema, field: string, depth: number): Arb | undefined {
    // The seeded ministries' countries: an organization that executes tasks keeps its country.
    if (field === 'country' && schema.type === 'string') return fc.constantFrom('BY', 'BY', 'KZ', 'RU');
    // A report as of a day up to the test clock's today (2026-11-28): a later one is refused.
    if (field === 'asOf' && schema.format === 'date') {
      return fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-11-28T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    }
    if (field === 'timeZone' && schema.type === 'string') return fc.constantFrom('Europe/Minsk', 'Asia/Almaty', 'UTC', 'europe/moscow', 'America/Argentina/Buenos_Aires');
    if (field === 'url' && schema.type === 'string') {
      return fc
        .tuple(fc.constantFrom('https', 'http'), fc.integer({ min: 1, max: 254 }), fc.constantFrom('', '/', '/hooks', '/a/b?x=1&y=%D1%8F', ':8443/h'))
        .map(([scheme, host, rest]) => `${scheme}://203.0.113.${host}${rest}`);
    }
    if (field === 'period' && schema.type === 'string' && /Q\[1-4\]/.test(schema.pattern ?? '')) {
      // The seeded plan is reported quarterly, and no period after today's (2026-Q4) is: mostly a quarter of 2026.
      return fc.oneof(
        { arbitrary: fc.constantFrom('2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'), weight: 3 },
        { arbitrary: fc.tuple(fc.constantFrom(2026, 2027), fc.constantFrom('Q1', 'Q4', '01', '06', '11', '12')).map(([y, p]) => `${y}-${p}`), weight: 1 },
      );
    }
    // Executors: each organization once, the first the lead.
    if (field === 'assignees' && schema.type === 'array') {
      return fc.array(this.valid(schema.items, depth + 1), { minLength: Math.max(1, schema.minItems ?? 0), maxLength: 2 }).map((list) =>
        list
          .filter((a, i) => list.findIndex((b) => (b as { organizationId?: unknown })?.organizationId === (a as { organizationId?: unknown })?.organizationId) === i)
          .map((a, i) => (i === 0 && a && typeof a === 'object' ? { ...a, role: 'lead' } : a)),
      );
    }
    if (field === 'parties' && schema.type === 'array') {
      const countries = fc.oneof(fc.constant(['BY', 'KZ']), fc.uniqueArray(fc.constantFrom('BY', 'KZ', 'RU', 'AM', 'UZ', 'KG'), { minLength: 2, maxLength: 2 }));
      return fc.tuple(countries, fc.array(this.valid(schema.items, depth + 1), { minLength: 2, maxLength: 2 })).map(([cs, parties]) =>
        parties.map((p, i) => (p && typeof p === 'object' ? { ...p, country: cs[i] } : p)),
      );
    }
    return undefined;
  }

  private validString(schema: Schema, field?: string): Arb {
    if (schema.format === 'uuid') return this.uuid(field);
    if (schema.format === 'date') {
      // Mostly within the seeded plan (2026–2027) and after the test clock's today (2026-11-28), where deadlines may go.
      return fc
        .oneof(
          { arbitrary: fc.date({ min: new Date('2026-11-29T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }), weight: 2 },
          { arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }), weight: 1 },
        )
        .map((d) => d.toISOString().slice(0, 10));
    }
    if (schema.format === 'date-time') {
      // Mostly in the coming months, where an expiry may be (in the future, at most a year ahead).
      return fc
        .oneof(
          { arbitrary: fc.date({ min: new Date('2026-11-29T00:00:00Z'), max: new Date('2027-10-31T00:00:00Z'), noInvalidDate: true }), weight: 2 },
          { arbitrary: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }), weight: 1 },
        )
        .map((d) => d.toISOString());
    }
    if (schema.format === 'uri' || schema.format === 'uri-reference') return fc.webUrl();
    // Every pattern must hold (a search text has its own under allOf), and text is trimmed by the app: not all blanks.
    const patterns = [schema.pattern, ...((schema.allOf ?? []) as Schema[]).map((a) => a.pattern)].filter((p): p is string => typeof p === 'string');
    let res: RegExp[] = [];
    try {
      res = patterns.map((p) => new RegExp(p, 'u'));
    } catch {
      /* a pattern JavaScript cannot read: generate without it */
    }
    const min = schema.minLength ?? 0;
    const fits = (v: string) => v.length >= min && v.length <= (schema.maxLength ?? Infinity) && res.every((re) => re.test(v)) && (min === 0 || v.trim().length > 0);
    if (typeof schema.pattern === 'string' && res[0]) {
      try {
        return fc.stringMatching(res[0]).filter(fits);
      } catch {
        /* a pattern fast-check cannot read: fall through */
      }
    }
    return fc.string({ minLength: min, maxLength: Math.max(min, Math.min(schema.maxLength ?? 40, 40)) }).filter(fits);
  }

  /** A value the schema refuses (or at the edge of what it accepts). */
  broken(schema0: Schema | undefined, depth = 0): Arb {
    const schema = this.s(schema0);
    const generic: Arb[] = [fc.constantFrom(...WRONG_TYPES), fc.constant(huge()), oddUnicode];
    if (depth > 4) return fc.oneof(...generic);
    const specific: Arb[] = [];
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (Array.isArray(schema.enum)) specific.push(fc.constantFrom(...schema.enum.map((e: unknown) => `${String(e)}X`), ...schema.enum.map((e: unknown) => String(e).toUpperCase())));
    if (type === 'string' || schema.format) {
      if (schema.format === 'uuid') specific.push(fc.constantFrom(...BAD_UUIDS));
      if (schema.format === 'date' || /\\d\{4\}-/.test(schema.pattern ?? '')) specific.push(fc.constantFrom(...BAD_DATES));
      if (schema.format === 'date-time') specific.push(fc.constantFrom(...BAD_INSTANTS, ...BAD_DATES));
      if (schema.minLength !== undefined && schema.minLength > 0) specific.push(fc.constant('a'.repeat(schema.minLength - 1)));
      if (schema.maxLength !== undefined) specific.push(fc.constantFrom('a'.repeat(schema.maxLength + 1), 'я'.repeat(schema.maxLength), '👍'.repeat(schema.maxLength)));
      specific.push(this.valid(schema, depth).map((v) => (typeof v === 'string' ? ` ${v}\u0000` : v)));
    }
    if (type === 'integer' || type === 'number') {
      const vals: unknown[] = [1.5, -0, '1', 2 ** 53, -(2 ** 53), 1e308];
      if (schema.minimum !== undefined) vals.push(schema.minimum - 1, schema.minimum);
      if (schema.maximum !== undefined) vals.push(schema.maximum + 1, schema.maximum);
      specific.push(fc.constantFrom(...vals));
    }
    if (type === 'boolean') specific.push(fc.constantFrom('true', 1, 0, 'false', 'yes'));
    if (type === 'array') {
      const max = schema.maxItems ?? 50;
      specific.push(fc.array(this.valid(schema.items, depth + 1), { minLength: max + 1, maxLength: max + 1 }));
      specific.push(fc.array(this.broken(schema.items, depth + 1), { minLength: 1, maxLength: 3 }));
      if (schema.minItems) specific.push(fc.constant([]));
    }
    if (type === 'object' || schema.properties) {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(props);
      const valid = this.valid(schema, depth) as fc.Arbitrary<Record<string, unknown>>;
      const required = (schema.required ?? []) as string[];
      // Drop a required field.
      if (required.length) specific.push(fc.tuple(valid, fc.constantFrom(...required)).map(([o, k]) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k))));
      // An unknown field, or a prototype-polluting one.
      specific.push(
        fc.tuple(valid, fc.constantFrom('extra', 'id', 'createdAt', '__proto__', 'constructor', 'ID', ''), fc.jsonValue({ maxDepth: 1 })).map(([o, k, v]) => {
          const out = { ...o };
          Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true, writable: true });
          return out;
        }),
      );
      // One field broken.
      if (keys.length) {
        specific.push(
          fc.tuple(valid, fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), this.broken(props[k], depth + 1)))).map(([o, [k, v]]) => ({ ...o, [k]: v })),
        );
      }
    }
    return fc.oneof({ arbitrary: fc.oneof(...generic), weight: 1 }, ...specific.map((arbitrary) => ({ arbitrary, weight: 2 })));
  }

  /** Mostly valid (so requests reach the handlers), often broken. */
  any(schema: Schema | undefined): Arb {
    return fc.oneof({ arbitrary: this.valid(schema), weight: 3 }, { arbitrary: this.broken(schema), weight: 2 });
  }
}

/** One of a list read when the value is drawn, not when the arbitrary is built: the world changes during a run, the arbitraries stay. */
function oneOfNow<T>(list: () => readonly T[]): fc.Arbitrary<T> {
  return fc.nat().map((n) => {
    const l = list();
    return l[n % l.length] as T;
  });
}

/** Percent-encodes like encodeURIComponent, but a lone surrogate becomes the (invalid UTF-8) bytes of one. */
function enc(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    out += cp >= 0xd800 && cp <= 0xdfff ? '%ED%A0%80' : encodeURIComponent(ch);
  }
  return out;
}

const stringify = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));
/**
 * A clean request's cursor: as it is sent, the request becomes the next page of one an earlier answer gave a
 * `nextCursor` to (same filters), now and then keeps its own filters with another list's cursor (400); left out while
 * there is none.
 */
const NEXT_CURSOR = '\u0001next-cursor';
const CURSOR_SLOT = /([?&])cursor=%01next-cursor(&|$)/;

/** A query value as the app reads it: a list comma-separated (`status=done,closed`). */
const queryString = (v: unknown) => (Array.isArray(v) ? v.map(String).join(',') : stringify(v));
/** Fields of which a request names at most one (a link or report is of a plan or of a commission): a clean one keeps the first. */
const EXCLUSIVE = [['planId', 'commissionId']] as const;
function oneOfEach<T extends Record<string, unknown>>(v: T): T {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = { ...v };
  for (const [keep, drop] of EXCLUSIVE) if (out[keep] !== undefined && out[drop] !== undefined) delete out[drop];
  return out as T;
}

/** The bounds of a range in order, as a clean request gives them (from ≤ to). */
const RANGES = [
  ['from', 'to'],
  ['dueFrom', 'dueTo'],
  ['since', 'until'],
] as const;
function inOrder(q: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = oneOfEach({ ...q });
  for (const [lo, hi] of RANGES) {
    const a = out[lo];
    const b = out[hi];
    if (a !== undefined && b !== undefined && a > b) [out[lo], out[hi]] = [b, a];
  }
  return out;
}

/** What the harness knows of the seeded world: real ids for path parameters, a key per role. */
export interface FuzzWorld {
  world: World;
  ids: string[];
  /** The same ids by the collection a path names them under (`/v1/plans/{id}`: plans; `/reports/{reportId}`: reports). */
  idsOf: Record<string, string[]>;
  /**
   * Objects of their own for the operations that use one up (a plan to approve or close, a task to delete or move to
   * an end, a link, key or webhook to revoke), by operationId: the shared ones then last until the world is seeded
   * again. And for one the shared ones do not suit: a task of the draft plan to edit, whose deadline may still change.
   */
  disposable: Record<string, string[]>;
  /** Child ids with their parent's, by the child's collection: `/v1/tasks/{id}/reports/{reportId}` names a report of that task. */
  pairsOf: Record<string, [string, string][]>;
  /** A CSV the import reads without an error row: a task of the code given, executed by an organization of this world alone. */
  importCsv: (code: string) => string;
  tokens: Record<string, string>;
}

let worlds = 0;

/** A world to fuzz: the access tests' world and one of every other kind of object a path names. Seeded again and again in a run, each time anew. */
export async function seedFuzzWorld(app: App): Promise<FuzzWorld> {
  const generation = ++worlds;
  const world = await seedWorld(app);
  const change = await world.pendingRequest(world.ownTask.id);
  // One of every other kind of object a path names, so the operations on them are reached past their lookup: without
  // these, every request to a report, indicator, share link, API key, webhook or delivery was a 404.
  const created = async (url: string, payload?: object): Promise<{ id: string; url?: string }> => {
    const res = await app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`fuzz seed: POST ${url} answered ${res.statusCode}: ${res.body}`);
    return JSON.parse(res.body) as { id: string; url?: string };
  };
  const report = await created(`/v1/tasks/${world.ownTask.id}/reports`, { organizationId: world.by.id, period: '2026-Q4', percentComplete: 20, confidence: 'amber', narrative: 'Contracts under negotiation.' });
  const indicator = await created('/v1/indicators', { planId: world.plan.id, taskId: world.ownTask.id, name: 'Tractors assembled', unit: 'tractors', baseline: 0, target: 1500 });
  const linkBody = { name: 'Calendar of Minprom', kind: 'calendar', planId: world.plan.id };
  const link = await created('/v1/share-links', linkBody);
  // Paused: no event is queued for it and nothing is sent. Its test event is a delivery to name.
  const hookBody = { url: 'https://203.0.113.10/hooks', events: ['task.created'], organizationId: world.by.id, active: false };
  const hook = await created('/v1/webhooks', hookBody);
  const delivery = await created(`/v1/webhooks/${hook.id}/test`);
  // A spare key to read and revoke (not one of the role keys the requests are sent with).
  const spareKey = await created('/v1/api-keys', { name: 'fuzz spare key', role: 'observer' });
  const linkToken = String(link.url).replace('/v1/links/', '');
  // The ones used up: approving, closing, deleting, revoking. A plan to close is approved, its one task waits on nothing.
  const toApprove = await world.freshDraftPlan();
  const toClose = await world.freshDraftPlan();
  await created(`/v1/plans/${toClose.id}/approve`);
  const toDelete = await world.freshTask('own', world.draftPlan.id);
  // Cancelled or done, the shared tasks would refuse every report and deadline request after: one task each to move.
  const toMove = [await world.freshTask('own'), await world.freshTask('other')];
  // Named by the import alone, and no path names it, so no fuzzed PATCH renames it as it may the seeded ministries.
  // Names are unique in their country (409 otherwise): the generation keeps each world's apart.
  await created('/v1/organizations', { name: `Fuzz import works ${generation}`, kind: 'enterprise', country: 'BY' });
  const idsOf: Record<string, string[]> = {
    commissions: [world.commission.id],
    organizations: [world.by.id, world.kz.id],
    meetings: [world.meeting.id],
    plans: [world.plan.id, world.draftPlan.id],
    tasks: [world.ownTask.id, world.otherTask.id],
    'deadline-changes': [change.id],
    reports: [report.id],
    indicators: [indicator.id],
    'share-links': [link.id],
    links: [linkToken],
    webhooks: [hook.id],
    deliveries: [delivery.id],
    'api-keys': [spareKey.id],
  };
  const disposable: Record<string, string[]> = {
    approvePlan: [toApprove.id],
    closePlan: [toClose.id],
    deleteTask: [toDelete.id],
    transitionTask: toMove.map((task) => task.id),
    updateTask: [(await world.freshTask('own', world.draftPlan.id)).id, world.ownTask.id],
    revokeShareLink: [(await created('/v1/share-links', linkBody)).id],
    deleteWebhook: [(await created('/v1/webhooks', hookBody)).id],
    revokeApiKey: [(await created('/v1/api-keys', { name: 'fuzz key to revoke', role: 'observer' })).id],
    // Only a draft plan's indicator is deleted.
    deleteIndicator: [(await created('/v1/indicators', { planId: world.draftPlan.id, name: 'Trade turnover', unit: 'USD million', baseline: 700, target: 1000 })).id],
  };
  const pairsOf: Record<string, [string, string][]> = {
    'deadline-changes': [[world.ownTask.id, change.id]],
    reports: [[world.ownTask.id, report.id]],
    deliveries: [[hook.id, delivery.id]],
  };
  const ids = [...Object.values(idsOf).flat(), ...Object.values(disposable).flat()];
  const tokens = Object.fromEntries(Object.entries(world.keys).map(([role, key]) => [role, key.token]));
  const importCsv = (code: string) => `№,Мероприятие,Срок,Ответственные исполнители\n${code},Imported measure,31.12.2027,Fuzz import works ${generation}\n`;
  return { world, ids, idsOf, disposable, pairsOf, importCsv, tokens };
}

/**
 * The arbitrary of one whole request, on the world given, or on whichever world `world()` names as each request is
 * drawn (every world has the same shape: the first one's decides which pools there are).
 */
export function requestArb(app: App, world: FuzzWorld | (() => FuzzWorld)): fc.Arbitrary<{ operationId: string; request: FuzzRequest; clean: boolean }> {
  const now = typeof world === 'function' ? world : () => world;
  const shape = now();
  const doc = app.swagger() as any;
  const ops = operationsFrom(doc);
  const of = (collection: string) => () => now().idsOf[collection] ?? [];
  const arbs = new SchemaArbs(doc, () => now().ids, {
    commissionId: of('commissions'),
    organizationId: of('organizations'),
    parentId: of('organizations'),
    meetingId: of('meetings'),
    planId: of('plans'),
    taskId: of('tasks'),
  });
  /** The collection a path parameter follows (`/v1/webhooks/{id}`: webhooks). */
  const segmentOf = (path: string, name: string) => new RegExp(`/([^/{}]+)/\\{${name}\\}`).exec(path)?.[1];
  /** The real ids of that collection (or the operation's own disposable ones), or none. */
  const idsFor = (op: Op, name: string): (() => readonly string[]) | undefined => {
    if (name === 'id' && shape.disposable[op.operationId]?.length) return () => now().disposable[op.operationId] ?? [];
    const segment = segmentOf(op.path, name);
    return segment !== undefined && shape.idsOf[segment]?.length ? of(segment) : undefined;
  };
  const anyToken = oneOfNow(() => Object.values(now().tokens));

  const roleKey = fc.oneof(
    { arbitrary: fc.constant(null).map(() => `Bearer ${now().tokens.secretariat}`), weight: 3 },
    { arbitrary: anyToken.map((tk) => `Bearer ${tk}`), weight: 3 },
  );
  const auth = fc.oneof(
    { arbitrary: roleKey, weight: 8 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    {
      arbitrary: fc.oneof(
        fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer x', `Bearer ${'a'.repeat(5000)}`, 'Token abc', 'Bearer null'),
        anyToken.map((tk) => `Bearer ${tk}x`),
        anyToken.map((tk) => `Bearer  ${tk.slice(0, -1)}`),
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => `Bearer ${s}`),
      ),
      weight: 1,
    },
  );

  const pathValue = (schema: Schema, typed: (() => readonly string[]) | undefined) =>
    fc.oneof(
      ...(typed ? [{ arbitrary: oneOfNow(typed), weight: 4 }] : []),
      { arbitrary: oneOfNow(() => now().ids), weight: 4 },
      { arbitrary: arbs.valid(schema).map(stringify), weight: 2 },
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: fc.constantFrom(...BAD_UUIDS.filter((u) => u !== ''), '..', '%2e%2e', '%00', '%zz', 'a'.repeat(5000)), weight: 1 },
      { arbitrary: oddUnicode.filter((s) => s.length > 0).map(enc), weight: 1 },
    );

  const queryValue = (name: string, schema: Schema) =>
    fc.oneof(
      { arbitrary: arbs.valid(schema, 0, name).map(queryString), weight: 3 },
      // A JSON array where the app reads a comma-separated list, among others.
      { arbitrary: arbs.valid(schema, 0, name).map(stringify), weight: 1 },
      { arbitrary: arbs.broken(schema).map(stringify), weight: 2 },
      { arbitrary: name === 'cursor' ? fc.constantFrom(...BAD_CURSORS) : fc.constantFrom('', '%zz', '-1', '0', 'null', 'true', '[]'), weight: 1 },
    );

  const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 60 });
  const headerValue = (name: string) =>
    name === 'idempotency-key'
      ? fc.oneof(fc.uuid(), headerText, fc.constant('k'.repeat(300)))
      : fc.oneof(fc.constantFrom('*', '"x"', 'W/"x"', '"a", "b"', '', '"'), headerText);

  // Clean: a key of a small pool, so a create is now and then sent again with its key (a replay, or another body
  // under the same key: 422); a precondition any version meets.
  const cleanHeaderValue = (name: string) =>
    name === 'idempotency-key' ? fc.constantFrom('fuzz-key-1', 'fuzz-key-2', 'fuzz-key-3') : name === 'if-match' ? fc.constant('*') : fc.constantFrom('*', '"x"');

  const jsonBody = (schema: Schema | undefined) =>
    fc.oneof(
      { arbitrary: arbs.any(schema).map((v) => JSON.stringify(v)), weight: 8 },
      {
        arbitrary: fc.constantFrom('{', '{"a":', 'null', '', '[]', '"x"', '1', '\u0000', '{"__proto__":{"x":1}}', '{"a":1,"a":2}', '[['.repeat(10000), '{"a":' + '['.repeat(20000), 'NaN', '\uFEFF{}'),
        weight: 1,
      },
      { arbitrary: fc.constant(JSON.stringify({ x: huge() })), weight: 1 },
    );
  const contentTypeFor = (types: string[]) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...types), weight: 8 },
      { arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json;;', 'garbage'), weight: 1 },
      { arbitrary: fc.constant(undefined), weight: 1 },
    );
  const fileBody = fc.oneof(
    fc.constantFrom('code,title,dueDate\n1.1,Title,2026-12-31\n', 'code,title\n"unterminated', '', '\uFEFFcode;title\n', 'a,b\n'.repeat(2000)),
    fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
    fc.constant(Buffer.from('PK\u0003\u0004garbage-zip')),
  );

  /**
   * `clean`: every part valid as far as the schema and the few rules known here say (real ids of the right kind, a
   * child of its parent, no cursor, lists comma-separated, dates in order, a role's key), so the request reaches the
   * handler, and its refusals are the handler's own.
   */
  const opArb = (op: Op, clean: boolean) => {
    const path = op.params.filter((p) => p.in === 'path');
    const query = op.params.filter((p) => p.in === 'query');
    const headers = op.params.filter((p) => p.in === 'header');
    const paramArb = (ps: typeof query, valueOf: (p: (typeof query)[number]) => fc.Arbitrary<string>) =>
      fc.record(Object.fromEntries(ps.map((p) => [p.name, valueOf(p)])), { requiredKeys: ps.filter((p) => p.in === 'path').map((p) => p.name) as never[] });
    type Body = { payload?: string | Buffer; contentType?: string };
    const bodyArb: fc.Arbitrary<Body> = clean
      ? op.body?.schema
        ? arbs.valid(op.body.schema).map((v) => ({ payload: JSON.stringify(oneOfEach(v as Record<string, unknown>)), contentType: 'application/json' }))
        : op.body
          ? fc
              .oneof(
                { arbitrary: fc.stringMatching(/^[1-9]\.[1-9][0-9]?$/).map((code) => now().importCsv(code)), weight: 3 },
                { arbitrary: fileBody, weight: 1 },
              )
              .map((payload) => ({ payload, contentType: typeof payload === 'string' ? 'text/csv' : (op.body?.contentTypes[0] ?? 'text/csv') }))
          : fc.constant({})
      : op.body
        ? fc.tuple(op.body.schema ? jsonBody(op.body.schema) : fileBody, contentTypeFor(op.body.contentTypes)).map(([payload, contentType]) => ({ payload, contentType }))
        : fc.oneof({ arbitrary: fc.constant({}), weight: 6 }, { arbitrary: fc.constant({ payload: '{"x":1}', contentType: 'application/json' }), weight: 1 });
    // A child named with its own parent: /v1/tasks/{id}/reports/{reportId} a report of that task.
    const child = path.length === 2 && path[1] ? path[1].name : undefined;
    const childOf = segmentOf(op.path, child ?? '') ?? '';
    const pairs = child !== undefined && shape.pairsOf[childOf]?.length ? oneOfNow(() => now().pairsOf[childOf] ?? []) : undefined;
    const cleanPath = paramArb(path, (p) => {
      const typed = idsFor(op, p.name);
      // A clean request names a thing of the right kind (or, for a parameter that is no id, a valid value).
      return typed ? oneOfNow(typed) : arbs.valid(p.schema, 0, p.name).map(stringify);
    });
    return fc
      .record({
        auth: clean ? roleKey : auth,
        path: clean
          ? pairs && child
            ? pairs.map(([parent, id]) => ({ [path[0]?.name ?? 'id']: parent, [child]: id }))
            : cleanPath
          : paramArb(path, (p) => pathValue(p.schema, idsFor(op, p.name))),
        query: paramArb(query, (p) => (clean ? (p.name === 'cursor' ? fc.constant(NEXT_CURSOR) : arbs.valid(p.schema, 0, p.name).map(queryString)) : queryValue(p.name, p.schema))).map((q) =>
          clean ? inOrder(q) : q,
        ),
        unknownQuery: clean ? fc.constant(null) : fc.option(fc.constantFrom('extra=1', 'limit=5&limit=6', 'x=%00', '%zz=1', 'cursor='), { freq: 8 }),
        headers: clean
          ? fc.oneof({ arbitrary: fc.constant({}), weight: 5 }, { arbitrary: paramArb(headers, (p) => cleanHeaderValue(p.name)), weight: 1 })
          : paramArb(headers, (p) => headerValue(p.name)),
        body: clean ? bodyArb : fc.oneof({ arbitrary: bodyArb, weight: 9 }, { arbitrary: fc.constant<Body>({}), weight: 1 }),
      })
      .map(({ auth, path: pv, query: qv, unknownQuery, headers: hv, body }) => {
        let url = op.path;
        for (const [k, v = ''] of Object.entries(pv)) url = url.replace(`{${k}}`, v.length === 0 ? 'x' : /%/.test(v) ? v : enc(v));
        // A CSV has no sheets: a clean import names one only for a workbook.
        const sheetless = clean && body.contentType === 'text/csv';
        const qs = Object.entries(qv)
          .filter(([k]) => !(sheetless && k === 'sheet'))
          .map(([k, v = '']) => `${k}=${enc(v)}`);
        if (unknownQuery) qs.push(unknownQuery);
        if (qs.length) url += `?${qs.join('&')}`;
        const reqHeaders: Record<string, string> = Object.fromEntries(Object.entries(hv).filter((e): e is [string, string] => e[1] !== undefined));
        if (auth !== undefined) reqHeaders.authorization = auth;
        if (body.contentType !== undefined && body.payload !== undefined) reqHeaders['content-type'] = body.contentType;
        const request: FuzzRequest = { method: op.method, url, headers: reqHeaders, ...(body.payload !== undefined ? { payload: body.payload } : {}) };
        return { operationId: op.operationId, request, clean };
      });
  };
  return fc.oneof(...ops.map((op) => fc.oneof(opArb(op, false), opArb(op, true))));
}

/** A request printed so it can be replayed; huge payloads are shortened with their length given. */
export function describe(r: FuzzRequest): string {
  const show = (s: string) => (s.length > 300 ? `${JSON.stringify(s.slice(0, 300))}… (${s.length} chars)` : JSON.stringify(s));
  const payload = r.payload === undefined ? '' : Buffer.isBuffer(r.payload) ? ` payload=<${r.payload.length} bytes: ${r.payload.toString('hex').slice(0, 200)}>` : ` payload=${show(r.payload)}`;
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, k === 'authorization' && v.length > 80 ? `${v.slice(0, 80)}…` : v]));
  return `${r.method} ${show(r.url)} headers=${JSON.stringify(headers)}${payload}`;
}

const problemOk = (res: { statusCode: number; headers: Record<string, unknown>; body: string }, method: string): string | null => {
  if (method === 'HEAD') return null;
  if (!/^application\/problem\+json/.test(String(res.headers['content-type'] ?? ''))) return `content-type ${String(res.headers['content-type'])}`;
  let body: any;
  try {
    body = JSON.parse(res.body);
  } catch {
    return 'body is not JSON';
  }
  for (const k of ['type', 'title', 'detail', 'code']) if (typeof body?.[k] !== 'string') return `body.${k} missing`;
  if (body.status !== res.statusCode) return `body.status ${body.status} ≠ ${res.statusCode}`;
  if (/SQLITE|at .+\.ts:\d+/.test(res.body)) return 'internal detail leaks';
  return null;
};

/** The seed of the requests after the `round`-th reseeding of the world (round 0: the run's own seed). */
const roundSeed = (seed: number, round: number) => (round === 0 ? seed : (seed ^ Math.imul(round, 0x9e3779b1)) | 0);

/**
 * Sends `runs` generated requests (replayable from `seed`) and checks each answer. Every `refreshEvery` requests a
 * new world is seeded and the next requests are drawn on it: what the previous ones used up (a plan closed, a
 * webhook deleted, a task cancelled) stops refusing everything that follows. The database is compared
 * cheaply: SQLite's total_changes() says whether any row was written; only then (and for every
 * `fullEvery`-th refusal regardless) is the whole-DB snapshot taken and compared with the one before.
 */
export async function runFuzz(
  app: App,
  firstWorld: FuzzWorld,
  opts: { runs: number; seed: number; refreshEvery?: number; fullEvery?: number; skip?: (v: Violation) => boolean; onViolation?: (v: Violation) => void },
): Promise<FuzzResult> {
  const started = Date.now();
  const refreshEvery = Math.max(1, opts.refreshEvery ?? 500);
  let current = firstWorld;
  /** The next pages of the last lists each operation answered with a `nextCursor`, for clean requests of them. */
  const nextPages = new Map<string, { url: string; cursor: string }[]>();
  const arb = requestArb(app, () => current);
  let samples: { operationId: string; request: FuzzRequest; clean: boolean }[] = [];
  const changes = app.sqlite.prepare('SELECT total_changes() AS n');
  const totalChanges = () => (changes.get() as { n: number }).n;
  const fullEvery = opts.fullEvery ?? 25;
  // The database as the last accepted request left it, by table, so a difference names its tables and rows.
  const take = () => Object.fromEntries(Object.entries(snapshot(app)).map(([table, rows]) => [table, JSON.stringify(rows)]));
  let state = take();
  const histogram: Record<string, number> = {};
  const violations: Violation[] = [];
  let skipped = 0;
  let refusals = 0;
  const operations = operationsFrom(app.swagger());
  const perOperation: Record<string, OperationStats> = Object.fromEntries(
    operations.map((op) => [op.operationId, { sent: 0, ok: 0, clean: 0, cleanRefusals: {}, cleanExamples: {} }]),
  );
  const operationCodes = new Map(operations.map((op) => [op.operationId, op.codes]));

  for (let index = 0; index < opts.runs; index++) {
    if (index % refreshEvery === 0) {
      const round = index / refreshEvery;
      if (round > 0) {
        current = await seedFuzzWorld(app);
        state = take();
      }
      samples = fc.sample(arb, { numRuns: Math.min(refreshEvery, opts.runs - index), seed: roundSeed(opts.seed, round) });
    }
    const sample = samples[index % refreshEvery];
    if (!sample) throw new Error(`fuzz: no request drawn at index ${index}`);
    const { operationId, clean } = sample;
    let { request } = sample;
    if (CURSOR_SLOT.test(request.url)) {
      const mine = nextPages.get(operationId) ?? [];
      const foreign = index % 8 === 0 ? [...nextPages.values()].flat()[index % 97]?.cursor : undefined;
      const page = mine[index % Math.max(1, mine.length)];
      const url =
        foreign === undefined && page !== undefined
          ? page.url
          : request.url.replace(CURSOR_SLOT, (_m, pre: string, post: string) => (foreign === undefined ? (post ? pre : '') : `${pre}cursor=${encodeURIComponent(foreign)}${post}`));
      request = { ...request, url };
    }
    const stats = (perOperation[operationId] ??= { sent: 0, ok: 0, clean: 0, cleanRefusals: {}, cleanExamples: {} });
    stats.sent++;
    if (clean) stats.clean++;
    const before = totalChanges();
    const report = (v: Omit<Violation, 'index' | 'operationId' | 'request'>) => {
      const violation = { index, operationId, request, ...v };
      if (opts.skip?.(violation)) {
        skipped++;
        return;
      }
      violations.push(violation);
      opts.onViolation?.(violation);
    };
    let res;
    try {

      res = await app.inject({ method: request.method as InjectOptions['method'], url: request.url, headers: { authorization: undefined, ...request.headers }, payload: request.payload });
    } catch (err) {
      histogram.threw = (histogram.threw ?? 0) + 1;
      report({ kind: 'inject-threw', status: 0, detail: String(err) });
      state = take();
      continue;
    }
    const status = res.statusCode;
    histogram[String(status)] = (histogram[String(status)] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      stats.ok++;
      const cursor = /"nextCursor":"([^"]+)"/.exec(res.body)?.[1];
      if (cursor !== undefined) {
        const [path, query = ''] = request.url.split('?');
        const rest = query.split('&').filter((kv) => kv !== '' && !kv.startsWith('cursor='));
        const url = `${path}?${[...rest, `cursor=${encodeURIComponent(cursor)}`].join('&')}`;
        nextPages.set(operationId, [{ url, cursor }, ...(nextPages.get(operationId) ?? [])].slice(0, 3));
      }
    }
    else if (clean && status >= 400) {
      const why = `${status} ${/"code":"([^"]+)"/.exec(res.body)?.[1] ?? ''}`.trim();
      stats.cleanRefusals[why] = (stats.cleanRefusals[why] ?? 0) + 1;
      stats.cleanExamples[why] ??= `${/"detail":"((?:[^"\\]|\\.)*)"/.exec(res.body)?.[1]?.slice(0, 200) ?? ''} ← ${describe(request).slice(0, 300)}`;
    }
    if (status >= 500) report({ kind: '5xx', status, detail: res.body.slice(0, 500) });
    if (status >= 400 && status < 500) {
      refusals++;
      const bad = problemOk(res, request.method);
      if (bad) report({ kind: 'not-a-problem', status, detail: `${bad}: ${res.body.slice(0, 300)}` });
      const code = bad ? undefined : /"code":"([^"]+)"/.exec(res.body)?.[1];
      const documented = operationCodes.get(operationId)?.[status];
      if (code !== undefined && documented !== undefined && !documented.includes(code)) {
        report({ kind: 'undocumented-code', status, detail: `${code} is not among the codes its ${status} lists (${documented.join(', ') || 'none'}): ${res.body.slice(0, 300)}` });
      }
    }
    const wrote = totalChanges() !== before;
    if (status >= 400) {
      if (wrote || refusals % fullEvery === 0) {
        const now = take();
        const changed = differences(state, now);
        if (changed) {
          report({ kind: 'db-changed', status, detail: `the whole-DB snapshot differs after a refused request: ${changed}` });
          state = now;
        }
      }
    } else if (wrote) {
      state = take();
    }
  }
  const neverSucceeded = Object.entries(perOperation)
    .filter(([, st]) => st.ok === 0)
    .map(([id]) => id);
  return { seed: opts.seed, requests: opts.runs, histogram, violations, skipped, neverSucceeded, perOperation, ms: Date.now() - started };
}

/** Which tables of two snapshots differ, and how (rows added or removed, the first row changed), or null. */
function differences(before: Record<string, string>, after: Record<string, string>): string | null {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] === after[table]) continue;
    const a = JSON.parse(before[table] ?? '[]') as unknown[];
    const b = JSON.parse(after[table] ?? '[]') as unknown[];
    const i = a.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(b[k]));
    let how = '';
    if (i >= 0 && i < b.length) {
      const was = (a[i] ?? {}) as Record<string, unknown>;
      const is = (b[i] ?? {}) as Record<string, unknown>;
      const cols = Object.keys({ ...was, ...is }).filter((k) => JSON.stringify(was[k]) !== JSON.stringify(is[k]));
      how = `; row ${i} (id ${String(is.id ?? was.id)}): ${cols.map((k) => `${k} ${JSON.stringify(was[k])?.slice(0, 100)} → ${JSON.stringify(is[k])?.slice(0, 100)}`).join(', ')}`;
    }
    out.push(`${table} (${a.length} → ${b.length} rows${how})`);
  }
  return out.length ? out.join('; ') : null;
}

/** Violations known and accepted for now: none (the router's URL errors are problem documents since frameworkErrors). */
export const KNOWN_VIOLATIONS: { name: string; matches: (v: Violation) => boolean }[] = [];
export const isKnownViolation = (v: Violation) => KNOWN_VIOLATIONS.some((k) => k.matches(v));

/** Fewer 2xx answers than this, and the summary says why the operation's clean requests were refused. */
const THIN = 5;

/** The summary: counts, histogram, then the violations grouped (kind, status, Fastify code), three shown in full per group. */
export function formatResult(r: FuzzResult): string {
  const hist = Object.entries(r.histogram)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const lines = [`seed ${r.seed}: ${r.requests} requests in ${(r.ms / 1000).toFixed(1)} s`, `status histogram: ${hist}`, `operations never answered 2xx: ${r.neverSucceeded.length ? r.neverSucceeded.join(', ') : 'none'}`, `violations: ${r.violations.length}${r.skipped ? ` (+${r.skipped} known, skipped)` : ''}`];
  // The operations least reached, with why their clean requests were refused: where the generators fall short.
  for (const [id, st] of Object.entries(r.perOperation)) {
    if (st.ok >= THIN) continue;
    const why = Object.entries(st.cleanRefusals).sort(([, a], [, b]) => b - a).slice(0, 4).map(([k, n]) => `${k} ×${n}`).join(', ');
    lines.push(`  ${id}: ${st.sent} sent, ${st.clean} clean${why ? `; clean ones refused ${why}` : ''}`);
    if (process.env.FUZZ_EXPLAIN) for (const [k, ex] of Object.entries(st.cleanExamples)) lines.push(`    ${k}: ${ex}`);
  }
  lines.push(`2xx per operation: ${Object.entries(r.perOperation).map(([id, st]) => `${id} ${st.ok}/${st.sent}`).join(', ')}`);
  const groups = new Map<string, Violation[]>();
  for (const v of r.violations) {
    const key = `${v.kind} ${v.status}${/"code":"(FST_[A-Z_]+)"/.exec(v.detail)?.[1] ? ` ${/"code":"(FST_[A-Z_]+)"/.exec(v.detail)?.[1]}` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  for (const [key, vs] of groups) {
    const known = vs.every(isKnownViolation) ? ' (known, see KNOWN_VIOLATIONS)' : '';
    lines.push(`- ${key}: ${vs.length}${known}`);
    for (const v of vs.slice(0, 3)) lines.push(`  #${v.index} ${v.operationId} → ${v.status}: ${v.detail.slice(0, 300)}\n    ${describe(v.request)}`);
    if (vs.length > 3) lines.push(`  … ${vs.length - 3} more (request indexes ${vs.slice(3, 20).map((v) => v.index).join(', ')}${vs.length > 20 ? ', …' : ''})`);
  }
  return lines.join('\n');
}
