// Preloaded (node --import) into a server a test starts: every host-name look-up fails as an unknown name's does
// (ENOTFOUND), so a test of an unresolvable HOST sends no DNS query off this machine. An IP literal is no look-up.
import dns from 'node:dns';
import { isIP } from 'node:net';

const realLookup = dns.lookup;

function refusedLookup(hostname: string, options: unknown, callback?: unknown): void {
  const done = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;
  if (isIP(hostname) !== 0) return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
  const err: NodeJS.ErrnoException & { hostname?: string } = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  Object.assign(err, { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
  process.nextTick(done, err);
}

dns.lookup = refusedLookup as typeof dns.lookup;
