// Paging through a list as a client does (pages of 2, cursor to cursor), with the query plan of a later page's statement:
// what the list-seek tests read to check that a later page seeks past its cursor in an index.
import type { App } from '../../src/app.js';
import { json, preparedDuring, type InjectedResponse } from '../helper.js';

export interface Row {
  id: string;
}

const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;

/** Every row of the list by pages of 2, how many pages, and the query plan of the statement of a later page (one with a cursor). */
export async function pagedWithPlan<R extends Row = Row>(app: App, url: string, table: string): Promise<{ rows: R[]; pages: number; plan: string }> {
  const rows: R[] = [];
  let pages = 0;
  const statements = await preparedDuring(app, `from "${table}"`, async () => {
    let cursor: string | null = null;
    do {
      const res: InjectedResponse = await app.inject({ url: withQuery(url, `limit=2${cursor ? `&cursor=${cursor}` : ''}`) });
      if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
      const page: { items: R[]; nextCursor: string | null } = json(res);
      rows.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
  });
  const later = statements.find((s) => /\) > \(/.test(s));
  if (!later) return { rows, pages, plan: 'no statement with a cursor' };
  const unbound = Array.from(later.matchAll(/\?/g), () => null);
  const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${later}`).all(...unbound) as { detail: string }[]).map((r) => r.detail).join(' | ');
  return { rows, pages, plan };
}

/** The whole list in one page (at most 200 rows). */
export async function everyRow<R extends Row = Row>(app: App, url: string): Promise<R[]> {
  return json<{ items: R[] }>(await app.inject({ url: withQuery(url, 'limit=200') })).items;
}
