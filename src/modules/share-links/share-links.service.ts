// Read-only links: create (secret URL shown once), list, revoke with immediate effect, and open one by its secret.
import { bookkeeping, writeTransaction } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import { etagOf } from '../../lib/http.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { generateToken, hashToken, lookupPrefix, MAX_TOKEN_LENGTH, tokenMatches } from '../api-keys/api-keys.tokens.js';
import { findCommission } from '../commissions/commissions.repository.js';
import { recordChange } from '../history/history.recorder.js';
import { findOrganization } from '../organizations/organizations.repository.js';
import { findPlanRecord } from '../plans/plans.repository.js';
import type { ReportProducer } from '../reports/progress.producer.js';
import * as repo from './share-links.repository.js';
import {
  DEFAULT_LIFETIME_DAYS,
  MAX_LIFETIME_DAYS,
  type CreateShareLink,
  type ListShareLinksQuery,
  type ShareLink,
  type ShareLinkParams,
} from './share-links.schemas.js';

/** Links are told from API keys at a glance: "cpl_" (commission plan link) against "cpt_". */
export const LINK_PREFIX = 'cpl_';
/** The path a link's secret opens, under the service's origin. */
export const LINK_PATH = '/v1/links/';

const DAY_MS = 86_400_000;
/** lastUsedAt is kept to the minute, as for API keys: a write per opening would cost more than it tells. */
const TOUCH_INTERVAL_MS = 60_000;

/** What opening a link answers: the document and how to label it. */
export interface OpenedLink {
  contentType: string;
  /** The file name offered to a browser or calendar program that saves it. */
  filename: string;
  body: string | Buffer;
  /** The body's ETag: of the feed itself, or for a report of the page without the instant it was generated. */
  etag: string;
}

/**
 * One answer for an unknown, malformed, expired or revoked secret: telling them apart would tell a guesser
 * that a secret once existed.
 */
const noSuchLink = () => new AppError(ERRORS.notFound, 'no such link, or it has expired or was revoked; ask the secretariat for a new one');

/** The parameters a link keeps: only those given, so the stored JSON says exactly what the link shows. */
function paramsOf(input: CreateShareLink): ShareLinkParams {
  const params: ShareLinkParams = {};
  if (input.planId !== undefined) params.planId = input.planId;
  if (input.commissionId !== undefined) params.commissionId = input.commissionId;
  if (input.organizationId !== undefined) params.organizationId = input.organizationId;
  if (input.lang !== undefined) params.lang = input.lang;
  return params;
}

export function createShareLinkService({ db, clock, reports }: ServiceDeps & { reports: ReportProducer }) {
  /** When a new link expires: the instant asked for, in the future and at most MAX_LIFETIME_DAYS ahead. */
  const expiryOf = (input: CreateShareLink, now: Date): string => {
    if (input.expiresAt === undefined) return new Date(now.getTime() + DEFAULT_LIFETIME_DAYS * DAY_MS).toISOString();
    const expires = new Date(input.expiresAt);
    if (expires.getTime() <= now.getTime()) {
      throw new AppError(ERRORS.invalidValue, `expiresAt ${input.expiresAt} is not in the future`, [
        { path: 'body.expiresAt', message: 'must be in the future' },
      ]);
    }
    if (expires.getTime() > now.getTime() + MAX_LIFETIME_DAYS * DAY_MS) {
      throw new AppError(ERRORS.invalidValue, `a link lives at most ${MAX_LIFETIME_DAYS} days; ${input.expiresAt} is further ahead`, [
        { path: 'body.expiresAt', message: `more than ${MAX_LIFETIME_DAYS} days ahead` },
      ]);
    }
    return expires.toISOString();
  };

  return {
    list: (query: ListShareLinksQuery) => repo.listShareLinks(db, query, clock().toISOString()),

    get(id: string): ShareLink {
      const link = repo.findShareLink(db, id, clock().toISOString());
      if (!link) throw notFound('link', id);
      return link;
    },

    /** A new link and its secret URL, which is returned this once and never stored. */
    create(input: CreateShareLink, ctx: WriteContext): ShareLink & { url: string } {
      const now = clock();
      const at = now.toISOString();
      const expiresAt = expiryOf(input, now);
      const token = generateToken(LINK_PREFIX);
      const id = newId();
      const params = paramsOf(input);
      const created = writeTransaction(db, (tx) => {
        const plan = params.planId === undefined ? undefined : findPlanRecord(tx, params.planId);
        if (params.planId !== undefined && !plan) throw unknownReference('body.planId', 'plan', params.planId);
        // The report refuses a draft plan; a link that could only answer that would be a broken promise.
        if (input.kind === 'progress_report' && plan?.status === 'draft') {
          throw new AppError(ERRORS.planStateConflict, 'a draft plan has no progress report yet: create the link once the plan is approved');
        }
        if (params.commissionId !== undefined && !findCommission(tx, params.commissionId)) {
          throw unknownReference('body.commissionId', 'commission', params.commissionId);
        }
        if (params.organizationId !== undefined && !findOrganization(tx, params.organizationId)) {
          throw unknownReference('body.organizationId', 'organization', params.organizationId);
        }
        repo.insertShareLink(tx, {
          id,
          name: input.name,
          kind: input.kind,
          prefix: lookupPrefix(token),
          hash: hashToken(token),
          params,
          expiresAt,
          revokedAt: null,
          lastUsedAt: null,
          createdAt: at,
          createdByKeyId: ctx.actor.keyId,
        });
        const link = repo.findShareLink(tx, id, at) as ShareLink;
        recordChange(tx, ctx.actor, at, {
          operation: 'createShareLink',
          entity: 'share_link',
          entityId: id,
          planId: params.planId,
          before: null,
          after: link,
        });
        return link;
      });
      return { ...created, url: LINK_PATH + token };
    },

    revoke(id: string, ctx: WriteContext): ShareLink {
      const at = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const current = repo.findShareLink(tx, id, at);
        if (!current) throw notFound('link', id);
        ctx.expect?.(current);
        if (current.status === 'revoked') return current;
        repo.revokeShareLink(tx, id, at);
        const revoked = repo.findShareLink(tx, id, at) as ShareLink;
        recordChange(tx, ctx.actor, at, {
          operation: 'revokeShareLink',
          entity: 'share_link',
          entityId: id,
          planId: current.params.planId,
          before: current,
          after: revoked,
        });
        return revoked;
      });
    },

    /**
     * What the link with this secret shows, computed now with the parameters fixed at its creation. Every
     * active link sharing the secret's prefix is compared in constant time, as API keys are. The report is the API's
     * (app.reports): a large plan's is computed in a report thread, in turn with the other large reports.
     */
    async open(token: string): Promise<OpenedLink> {
      if (token.length > MAX_TOKEN_LENGTH) throw noSuchLink();
      const now = clock();
      const row = repo.activeLinksByPrefix(db, lookupPrefix(token), now.toISOString()).find((r) => tokenMatches(token, r.hash));
      if (!row) throw noSuchLink();
      const params = row.params as ShareLinkParams;
      let opened: OpenedLink;
      if (row.kind === 'calendar') {
        const { body, etag } = await reports.calendar(params, row.id);
        opened = { contentType: 'text/calendar; charset=utf-8', filename: 'calendar.ics', body, etag };
      } else {
        // asOf is left to the report: today in the commission's time zone.
        const { body, version } = await reports.produce({ planId: params.planId, commissionId: params.commissionId, lang: params.lang }, 'html', row.id);
        // From a report thread the page comes as bytes, sent as they are.
        opened = { contentType: 'text/html; charset=utf-8', filename: 'progress-report.html', body: body as string | Buffer, etag: etagOf(version) };
      }
      // A large plan's page or feed may wait its turn for seconds: a link revoked or expired meanwhile shows nothing.
      if (!repo.activeLinksByPrefix(db, row.prefix, clock().toISOString()).some((r) => r.id === row.id)) throw noSuchLink();
      if (row.lastUsedAt === null || now.getTime() - Date.parse(row.lastUsedAt) >= TOUCH_INTERVAL_MS) {
        bookkeeping(db, () => repo.touchShareLink(db, row.id, now.toISOString()));
      }
      return opened;
    },
  };
}

export type ShareLinkService = ReturnType<typeof createShareLinkService>;
