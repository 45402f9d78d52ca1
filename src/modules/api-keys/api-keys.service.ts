// API keys: issue (secret shown once), list, revoke with immediate effect, and authenticate a request.
import { bookkeeping, dataState, writeTransaction } from '../../db/connection.js';
import { AppError, ERRORS, notFound, unknownReference } from '../../errors.js';
import type { Actor } from '../../lib/access.js';
import { newId } from '../../lib/ids.js';
import type { ServiceDeps, WriteContext } from '../../lib/service.js';
import { recordChange } from '../history/history.recorder.js';
import { findOrganization } from '../organizations/organizations.repository.js';
import * as repo from './api-keys.repository.js';
import type { ApiKey, CreateApiKey, ListApiKeysQuery } from './api-keys.schemas.js';
import { generateToken, hashToken, lookupPrefix, MAX_TOKEN_LENGTH, tokenMatches } from './api-keys.tokens.js';

/** lastUsedAt is kept to the minute: a write per request would cost more than it tells. */
const TOUCH_INTERVAL_MS = 60_000;

/** The actor of the command line and of the bootstrap: the secretariat, with no key of its own. */
export const OPERATOR: Actor = Object.freeze({ keyId: null, role: 'secretariat', organizationId: null });

export function createApiKeyService({ db, clock }: ServiceDeps) {
  const load = (id: string): ApiKey => {
    const key = repo.findApiKey(db, id);
    if (!key) throw notFound('API key', id);
    return key;
  };

  /**
   * The active keys that authenticated while the database stayed as it is, by the hash of their token: a request
   * with one of them skips the look-up. Any write (a revocation, a key's last use) and any commit of another process
   * (`npm run key:create`; seen from the next turn of the event loop) empties it, so a revoked key still stops working
   * with the next request.
   */
  const known = { state: '', rows: new Map<string, repo.ApiKeyRow>() };
  const knownKey = (hash: string): repo.ApiKeyRow | undefined => {
    const state = dataState(db);
    if (state !== known.state) {
      known.rows.clear();
      known.state = state;
    }
    return known.rows.get(hash);
  };
  const rememberKey = (hash: string, row: repo.ApiKeyRow) => {
    if (known.rows.size >= 10_000) known.rows.clear();
    known.rows.set(hash, row);
  };

  /** Stores a key for `token` (already generated or given by the operator); the token itself is not kept. */
  const store = (input: CreateApiKey, token: string, ctx: WriteContext): ApiKey => {
    const at = clock().toISOString();
    const id = newId();
    return writeTransaction(db, (tx) => {
      if (input.organizationId && !findOrganization(tx, input.organizationId)) {
        throw unknownReference('body.organizationId', 'organization', input.organizationId);
      }
      const hash = hashToken(token);
      if (repo.isHashTaken(tx, hash)) throw new AppError(ERRORS.invalidValue, 'this token is already a key');
      repo.insertApiKey(tx, {
        id,
        name: input.name,
        role: input.role,
        organizationId: input.organizationId ?? null,
        prefix: lookupPrefix(token),
        hash,
        createdAt: at,
        createdByKeyId: ctx.actor.keyId,
        lastUsedAt: null,
        revokedAt: null,
      });
      const created = repo.findApiKey(tx, id) as ApiKey;
      recordChange(tx, ctx.actor, at, { operation: 'createApiKey', entity: 'api_key', entityId: id, before: null, after: created });
      return created;
    });
  };

  return {
    list: (query: ListApiKeysQuery) => repo.listApiKeys(db, query),

    get: load,

    /** A new key and its secret, which is returned this once and never stored. */
    create(input: CreateApiKey, ctx: WriteContext): ApiKey & { token: string } {
      const token = generateToken();
      return { ...store(input, token, ctx), token };
    },

    revoke(id: string, ctx: WriteContext): ApiKey {
      const at = clock().toISOString();
      return writeTransaction(db, (tx) => {
        const current = repo.findApiKey(tx, id);
        if (!current) throw notFound('API key', id);
        ctx.expect?.(current);
        if (current.status === 'revoked') return current;
        if (current.role === 'secretariat' && repo.countActiveKeys(tx, 'secretariat') === 1) {
          throw new AppError(
            ERRORS.referenceInUse,
            'this is the last active secretariat key: create another secretariat key before revoking it',
          );
        }
        repo.revokeApiKey(tx, id, at);
        const revoked = repo.findApiKey(tx, id) as ApiKey;
        recordChange(tx, ctx.actor, at, { operation: 'revokeApiKey', entity: 'api_key', entityId: id, before: current, after: revoked });
        return revoked;
      });
    },

    /**
     * The actor behind a bearer token, or null when no active key has it. Every active key sharing the
     * token's prefix is compared in constant time, so a revoked key stops working with the next request.
     */
    authenticate(token: string): (Actor & { keyName: string }) | null {
      if (token.length > MAX_TOKEN_LENGTH) return null;
      const hash = hashToken(token);
      const row = knownKey(hash) ?? repo.activeKeysByPrefix(db, lookupPrefix(token)).find((r) => tokenMatches(token, r.hash));
      if (!row) return null;
      rememberKey(hash, row);
      const now = clock();
      if (row.lastUsedAt === null || now.getTime() - Date.parse(row.lastUsedAt) >= TOUCH_INTERVAL_MS) {
        bookkeeping(db, () => repo.touchApiKey(db, row.id, now.toISOString()));
      }
      return { keyId: row.id, role: row.role, organizationId: row.organizationId, keyName: row.name };
    },

    /**
     * At start: when no active secretariat key exists and the operator gave TRACKER_BOOTSTRAP_TOKEN,
     * stores that token (hashed) as the first secretariat key. Returns the key, or null if none was needed.
     */
    bootstrap(token: string | undefined): ApiKey | null {
      if (repo.countActiveKeys(db, 'secretariat') > 0 || token === undefined) return null;
      return store({ name: 'bootstrap (TRACKER_BOOTSTRAP_TOKEN)', role: 'secretariat' }, token, { actor: OPERATOR });
    },

    hasSecretariatKey: () => repo.countActiveKeys(db, 'secretariat') > 0,

    /** Whether an active key has this token (without marking it used). */
    isActiveToken(token: string): boolean {
      return token.length <= MAX_TOKEN_LENGTH && repo.activeKeysByPrefix(db, lookupPrefix(token)).some((r) => tokenMatches(token, r.hash));
    },

    /** Whether the key of an actor authenticated earlier is still active (the operator, with no key, always is). */
    stillActive: (keyId: string | null): boolean => keyId === null || repo.isKeyActive(db, keyId),

  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
