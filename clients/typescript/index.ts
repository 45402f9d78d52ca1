// A typed client of the plan tracker: openapi-fetch over the types openapi-typescript generated from
// openapi/openapi.json (schema.d.ts; regenerate with `npm run client:generate`, never edit it by hand).
// It is an example to copy: every call is checked against the document at compile time.
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

/** An RFC 9457 problem document: what every refused call returns as `error`. */
export type Problem = components['schemas']['Problem'];

export type TrackerClient = Client<paths>;

/**
 * A client for the service at `baseUrl` (e.g. "http://127.0.0.1:3000") that sends `apiKey` as
 * `Authorization: Bearer …` on every request. Each call resolves to `{ data, error, response }`:
 * `data` typed by the operation's success response, `error` a {@link Problem} otherwise.
 */
export function createTrackerClient(baseUrl: string, apiKey: string): TrackerClient {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}
