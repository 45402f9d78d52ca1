// Whether the service can listen on HOST and PORT, asked before the database is opened: an address it cannot take
// stops the start with one line naming the variable, its value and the reason, and leaves the database untouched.
import { createServer } from 'node:net';
import { StartupError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Takes the address as the service will, then frees it; rejects with the system's error (a name look-up's, a bind's). */
export type ListenProbe = (address: ListenAddress) => Promise<void>;

export const probeListen: ListenProbe = ({ host, port }) =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    // A name is looked up as Node's listen looks it up when the service listens (its first address).
    server.listen({ host, port }, () => server.close(() => resolve()));
  });

/** Why an address cannot be listened on, in words, for the system error codes an operator's setting causes. */
const REASONS: Record<string, { port?: true; reason: string }> = {
  ENOTFOUND: { reason: 'the name does not resolve to an address' },
  EAI_NONAME: { reason: 'the name does not resolve to an address' },
  EAI_NODATA: { reason: 'the name does not resolve to an address' },
  EAI_AGAIN: { reason: 'the name could not be resolved now (no answer from the DNS server)' },
  EAI_FAIL: { reason: 'the name could not be resolved (the DNS server failed)' },
  EADDRNOTAVAIL: { reason: 'no network interface of this machine has this address' },
  EAFNOSUPPORT: { reason: "this machine's network does not support this kind of address (IPv6 turned off?)" },
  EADDRINUSE: { port: true, reason: 'another program listens on this port' },
  EACCES: { port: true, reason: 'this user may not listen on this port (below 1024 needs privileges)' },
};

/**
 * The start-up error that says why the service cannot listen at `address`, or null for an error of no known kind
 * (which keeps its stack trace). HOST is no secret, so its value is named, unlike other variables'.
 */
export function listenFailure(err: unknown, { host, port }: ListenAddress): StartupError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const known = code === undefined ? undefined : REASONS[code];
  if (!known) return null;
  const where = known.port ? `HOST=${host} PORT=${port}` : `HOST=${host}`;
  const fix = known.port
    ? 'set PORT to a free port (or stop the other program)'
    : 'set HOST to an address of this machine (127.0.0.1 for this machine alone, 0.0.0.0 for its network) or a name that resolves to one';
  return new StartupError(`cannot listen on ${where}: ${known.reason} (${code}); ${fix}`);
}

/** Rejects with a StartupError (else the system's error) when the service could not listen at `address`. */
export async function ensureCanListen(address: ListenAddress, probe: ListenProbe = probeListen): Promise<void> {
  try {
    await probe(address);
  } catch (err) {
    throw listenFailure(err, address) ?? err;
  }
}
