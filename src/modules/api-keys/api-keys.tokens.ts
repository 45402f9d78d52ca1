// The secrets of API keys: 256 random bits, kept only as a SHA-256 hash, compared in constant time.
import { hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'cpt_';
/** Characters of a token kept in clear to find its row and to tell keys apart in listings. */
const LOOKUP_LENGTH = 12;
/** Shortest secret accepted from outside (TRACKER_BOOTSTRAP_TOKEN): about 128 bits of base64. */
export const MIN_TOKEN_LENGTH = 22;
/** Longest credential looked at; anything longer is refused before hashing. */
export const MAX_TOKEN_LENGTH = 512;

/** A new secret: a prefix naming what it opens ("cpt_" for keys) and 32 random bytes in base64url (256 bits). */
export function generateToken(prefix: string = TOKEN_PREFIX): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * The hash kept in the database. A fast hash is right here: the secret is random and long, so there is
 * nothing to brute-force, and every request pays for it.
 */
export function hashToken(token: string): string {
  return digest('sha256', token, 'hex');
}

export function lookupPrefix(token: string): string {
  return token.slice(0, LOOKUP_LENGTH);
}

/** Whether `token` hashes to `hash`, in time independent of where they differ. */
export function tokenMatches(token: string, hash: string): boolean {
  const expected = Buffer.from(hash, 'hex');
  const actual = digest('sha256', token, 'buffer');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
