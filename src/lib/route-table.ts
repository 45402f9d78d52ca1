// The routes the server registers, as patterns: which methods a concrete path answers to (the Allow of a 405).
export interface RegisteredRoute {
  method: string;
  /** The path pattern as registered, e.g. `/v1/tasks/:id`. */
  url: string;
}

/** The order Allow lists methods in: reads first, then writes, as RFC 9110's examples do. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];
const byMethodOrder = (a: string, b: string) =>
  (METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b);

/**
 * The path without its trailing slashes, but never empty ('/' stays). A loop, where /(.)\/+$/ went back over a long
 * run of slashes once per slash (16,000 of them in a path: 0.3 s on the event loop, before any key is asked for).
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === '/') end--;
  return path.slice(0, end);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A find-my-way pattern (`/v1/tasks/:id`, `/docs/*`) as a regular expression over a request path. */
function compile(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`);
}

interface Entry {
  methods: Set<string>;
  pattern: RegExp;
  /** `*` or `/*`: matches every path (the CORS preflight route), so it makes no path "known". */
  catchAll: boolean;
}

export class RouteTable {
  private readonly entries = new Map<string, Entry>();

  add(method: string | string[], url: string): void {
    let entry = this.entries.get(url);
    if (!entry) {
      entry = { methods: new Set(), pattern: compile(url), catchAll: url === '*' || url === '/*' };
      this.entries.set(url, entry);
    }
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
  }

  /** Every route registered, without the HEAD routes Fastify adds to each GET route. */
  routes(): RegisteredRoute[] {
    return [...this.entries].flatMap(([url, { methods }]) =>
      [...methods].filter((m) => !(m === 'HEAD' && methods.has('GET'))).map((method) => ({ method, url })),
    );
  }

  /**
   * The methods a request path answers to, in Allow order; empty when no route other than a catch-all
   * matches it (an unknown path: 404, not 405). Trailing slashes are ignored, as the router ignores them.
   */
  allowedMethods(path: string): string[] {
    const bare = withoutTrailingSlashes(path.split('?')[0] ?? path);
    const matching = [...this.entries.values()].filter((e) => e.pattern.test(bare));
    if (!matching.some((e) => !e.catchAll)) return [];
    return [...new Set(matching.flatMap((e) => [...e.methods]))].sort(byMethodOrder);
  }
}
