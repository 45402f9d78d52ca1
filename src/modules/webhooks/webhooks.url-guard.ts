// Where a webhook may be sent: http(s) URLs whose every address is public, or private/loopback when the service
// allows it; never link-local, cloud metadata, multicast, unspecified or reserved addresses. Checked when a
// subscription is saved and again before each attempt, since what a name resolves to can change.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The longest URL kept, in its parsed form (webhooks.schemas.ts MAX_URL_LENGTH is the same). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

/** A host and the addresses it may be reached at, every one of them checked. */
export interface CheckedTarget {
  url: URL;
  /** The hostname without IPv6 brackets. */
  host: string;
  addresses: { address: string; family: 4 | 6 }[];
}

/** A URL the service will not send to; the message says why, for the caller and the delivery log. */
export class RefusedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedUrlError';
  }
}

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of v4) {
    const [net, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(prefix), 'ipv4');
  }
  for (const cidr of v6) {
    const [net, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(net, Number(prefix), 'ipv6');
  }
  return list;
}

// Checked in this order: the first list that holds an address names its class.
const CLASSES: [AddressClass, BlockList][] = [
  // AWS/GCP/Azure/OpenStack (169.254.169.254), ECS task metadata, Alibaba, Azure's wire server, AWS over IPv6.
  ['metadata', blockList(['169.254.169.254/32', '169.254.170.2/32', '100.100.100.200/32', '168.63.129.16/32'], ['fd00:ec2::254/128'])],
  ['unspecified', blockList(['0.0.0.0/8'], ['::/128'])],
  ['loopback', blockList(['127.0.0.0/8'], ['::1/128'])],
  ['multicast', blockList(['224.0.0.0/4'], ['ff00::/8'])],
  ['link-local', blockList(['169.254.0.0/16'], ['fe80::/10'])],
  // 240/4 holds the broadcast address; ::/96 (after :: and ::1) the deprecated IPv4-compatible form; 100::/64 discards;
  // 2001::/32 (Teredo) and 64:ff9b:1::/48 (local NAT64) hide an IPv4 address this guard cannot read back.
  ['reserved', blockList(['240.0.0.0/4', '192.0.0.0/24'], ['::/96', '100::/64', '2001::/32', '64:ff9b:1::/48'])],
  ['private', blockList(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15'], ['fc00::/7', 'fec0::/10'])],
];

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part counts as two). */
function hextets(address: string): number[] {
  let text = address.toLowerCase().split('%')[0] ?? '';
  // (?<!\d): from the first digit of a run only, so a long run of digits is read once.
  const dotted = /(?<!\d)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => parseInt(h, 16));
}

/**
 * The IPv4 address an IPv6 address stands for, when it is IPv4-mapped (::ffff:a.b.c.d), IPv4-translated
 * (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96) or 6to4 (2002:aabb:ccdd::/48): each reaches the IPv4 host, so it is
 * judged as that host is.
 */
function embeddedIPv4(address: string): string | null {
  const h = hextets(address);
  if (h.length !== 8) return null;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 5) && h[5] === 0xffff;
  const translated = zeros(0, 4) && h[4] === 0xffff && h[5] === 0;
  const nat64 = h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6);
  const sixToFour = h[0] === 0x2002;
  if (!mapped && !translated && !nat64 && !sixToFour) return null;
  const [hi = 0, lo = 0] = sixToFour ? h.slice(1, 3) : h.slice(6);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}

/** What kind of address this is, for the rules above. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  const v4 = family === 6 ? embeddedIPv4(address) : null;
  const [ip, type] = v4 !== null ? [v4, 'ipv4' as const] : [address.split('%')[0] ?? address, family === 4 ? ('ipv4' as const) : ('ipv6' as const)];
  for (const [cls, list] of CLASSES) if (list.check(ip, type)) return cls;
  return 'public';
}

export function isAllowed(cls: AddressClass, allowPrivate: boolean): boolean {
  return cls === 'public' || (allowPrivate && (cls === 'private' || cls === 'loopback'));
}

/** The URL, parsed, if its form is one the service sends to; the addresses are checked by `checkTarget`. */
export function parseWebhookUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RefusedUrlError('not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RefusedUrlError(`only http and https URLs are accepted, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') {
    throw new RefusedUrlError('a URL with a user name or password is refused: it would show in logs; authenticate deliveries by their signature');
  }
  if (url.hash !== '') throw new RefusedUrlError('a URL with a fragment (#…) is refused: it is never sent');
  if (url.hostname === '') throw new RefusedUrlError('the URL has no host');
  // What is stored and shown is the parsed form, which percent-encoding and punycode make longer than what was sent:
  // past the limit every read of the subscription would fail its response schema.
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new RefusedUrlError(`the URL is ${url.href.length} characters once encoded (${MAX_WEBHOOK_URL_LENGTH} at most): shorten it`);
  }
  return url;
}

/**
 * A webhook URL as the change history shows it: its origin, and "…" for the rest. Receivers often carry a token in
 * the path (Slack's /services/T…/B…/<secret>) or in the query (?token=); the history is append-only, so a token
 * written there could never be taken out again, and the co-chairs read it without managing subscriptions. Who
 * manages a subscription reads its whole URL from GET /v1/webhooks/{id}.
 */
export function urlForHistory(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '…';
  }
  if (url.origin === 'null') return '…';
  return url.href === `${url.origin}/` ? url.href : `${url.origin}/…`;
}

/**
 * A text that may quote URLs (a subscription's disabledReason quotes where a receiver redirected to) as the history
 * shows it: each URL as urlForHistory shows it, the rest as it is.
 */
export function textWithUrlsForHistory(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/\bhttps?:\/\/[^\s)]+/gi, (u) => urlForHistory(u) as string);
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** How long a host name may take to resolve, unless the caller says otherwise. */
export const RESOLVE_TIMEOUT_MS = 10_000;

/**
 * The resolver's answer, or a refusal once `timeoutMs` passed (a name server that never answers holds nobody up) or
 * `signal` aborted (the service is stopping: it does not wait for the name server either).
 */
function resolveWithin(resolve: Resolver, host: string, timeoutMs: number, signal?: AbortSignal): Promise<{ address: string; family: number }[]> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: `no answer within ${timeoutMs} ms` })), timeoutMs);
    onAbort = () => reject(Object.assign(new Error('interrupted'), { code: 'interrupted: the service is stopping' }));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([resolve(host), late]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}

/**
 * Parses the URL and resolves its host (within `timeoutMs`, unless `signal` aborts first); every address must be allowed, so a name that
 * resolves to a public and a private address is refused too.
 */
export async function checkTarget(
  raw: string,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
  timeoutMs: number = RESOLVE_TIMEOUT_MS,
  signal?: AbortSignal,
): Promise<CheckedTarget> {
  const url = parseWebhookUrl(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let found: { address: string; family: number }[];
  if (isIP(host) !== 0) found = [{ address: host, family: isIP(host) }];
  else {
    try {
      found = await resolveWithin(resolve, host, timeoutMs, signal);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'lookup failed';
      throw new RefusedUrlError(`the host ${host} does not resolve (${code})`);
    }
    if (found.length === 0) throw new RefusedUrlError(`the host ${host} does not resolve`);
  }
  for (const { address } of found) {
    const cls = classifyAddress(address);
    if (isAllowed(cls, allowPrivate)) continue;
    const what = cls === 'private' || cls === 'loopback' ? `a ${cls} address, allowed only where the service runs with WEBHOOK_ALLOW_PRIVATE=true` : `a ${cls} address, never allowed`;
    throw new RefusedUrlError(host === address ? `${address} is ${what}` : `${host} resolves to ${address}, ${what}`);
  }
  return { url, host, addresses: found.map((f) => ({ address: f.address, family: f.family === 6 ? 6 : 4 })) };
}
