// Sending a file to a plan's import, as the import tests do: a preview, or with `commit` the import itself.
import type { App } from '../../src/app.js';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A CSV (a string) or a workbook (a Buffer) sent to the preview, or to the import itself with `commit`. */
export async function send(app: App, planId: string, body: Buffer | string, commit = false) {
  return app.inject({
    method: 'POST',
    url: `/v1/plans/${planId}/import${commit ? '' : '/preview'}`,
    headers: { 'content-type': typeof body === 'string' ? 'text/csv' : XLSX },
    payload: body,
  });
}
