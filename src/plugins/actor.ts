// Who is calling: every request carries an Actor that services use to decide what it may do.
import fp from 'fastify-plugin';
import type { Role } from '../db/enums.js';

export interface Actor {
  role: Role;
  /** The organization a ministry key is bound to; null for other roles. */
  organizationId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

/**
 * Until API keys land (issue #3), every caller acts as the secretariat. That is why the server binds
 * to 127.0.0.1 by default: do not expose it on a network before keys exist.
 */
const UNAUTHENTICATED_ACTOR: Actor = Object.freeze({ role: 'secretariat', organizationId: null });

export default fp(
  async (app) => {
    app.decorateRequest('actor', null as unknown as Actor);
    app.addHook('onRequest', async (request) => {
      request.actor = UNAUTHENTICATED_ACTOR;
    });
  },
  { name: 'actor' },
);
