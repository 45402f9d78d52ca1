// The client a per-address limit counts: the request's address, an IPv6 one as its /64.
import type { FastifyRequest } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';

/**
 * A host given IPv6 has a whole /64 to call from (SLAAC, temporary addresses; one subnet per cloud instance), so an
 * IPv6 address is counted as its /64 prefix, as @fastify/rate-limit's own key generator does (ours replace it): one
 * client moving to the next address of its network would otherwise escape the failed-authentication limit and the
 * limit of public routes. An IPv4-mapped address counts as its IPv4 one.
 */
export const IPV6_PREFIX_LENGTH = 64;

/** Addresses already reduced: every request asks (authentication, then the rate limit), and parsing IPv6 is not free. */
const reduced = new Map<string, string>();
const REDUCED_MAX = 10_000;

export function clientAddress(request: FastifyRequest): string {
  const ip = request.ip;
  // A socket closed before its request is handled has no address left to read.
  if (typeof ip !== 'string') return String(ip);
  let client = reduced.get(ip);
  if (client === undefined) {
    try {
      client = normalizeIP(ip, IPV6_PREFIX_LENGTH);
    } catch {
      // An address the IPv6 parser refuses is counted as it is, rather than failing the request.
      client = ip;
    }
    if (reduced.size >= REDUCED_MAX) reduced.clear();
    reduced.set(ip, client);
  }
  return client;
}
