// Tests of multi-line text (descriptions, report texts, reasons, notes): every kind of line break is stored as LF, C1
// control characters are refused naming the character and the likely wrong decoding, the published pattern says what
// the service takes, and free-text search refuses what no stored line holds.
import t from 'tap';
import { text } from '../../src/lib/common.schemas.js';
import { build, json, refused, testClock } from '../helper.js';
import { approvedTask, createTask, seedPlan } from '../factories.js';

/** Each line break text() reads, in a paragraph as a user pastes it, and the text it is stored as. */
const BREAKS: [string, string][] = [
  ['CRLF (Windows, every browser form)', 'First paragraph.\r\nSecond paragraph.'],
  ['CR (classic Mac)', 'First paragraph.\rSecond paragraph.'],
  ['VT (Word, Shift+Enter)', 'First paragraph.\u000BSecond paragraph.'],
  ['FF (Word, page break)', 'First paragraph.\u000CSecond paragraph.'],
  ['NEL U+0085', 'First paragraph.\u0085Second paragraph.'],
  ['line separator U+2028', 'First paragraph.\u2028Second paragraph.'],
  ['paragraph separator U+2029 (PDF readers, InDesign)', 'First paragraph.\u2029Second paragraph.'],
];
const STORED = 'First paragraph.\nSecond paragraph.';

/** A value as an assertion may name it: TAP is read line by line, and a raw NEL, U+2028 or U+2029 ends a line there. */
const shown = (value: string) => JSON.stringify(value).replace(/[\u0080-\u009F\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

t.test('text() stores every line break as LF, keeps tabs and blank lines, and trims breaks at either end', async (t) => {
  const schema = text(1000);
  for (const [name, value] of BREAKS) t.equal(schema.parse(value), STORED, name);
  t.equal(schema.parse('a\r\n\r\nb'), 'a\n\nb', 'a blank line between paragraphs stays one blank line (CRLF CRLF is two LFs, not four)');
  t.equal(schema.parse('a\n\rb'), 'a\n\nb', 'LF then CR is two breaks, as an editor shows them');
  t.equal(schema.parse('a\u2029\u2029b'), 'a\n\nb', 'two paragraph separators, two LFs');
  t.equal(schema.parse('\u0085\r\n Col.\t1\u2028'), 'Col.\t1', 'breaks at either end are trimmed; a tab inside stays');
  t.equal(schema.parse('x'.repeat(999) + '\r\n'), 'x'.repeat(999), 'a CRLF no longer counts two characters against the limit');
  t.equal(schema.safeParse('x'.repeat(500) + '\r\n'.repeat(300) + 'y').success, true, '300 CRLFs are 300 characters');
});

t.test('C1 control characters are refused, naming the character and the likely wrong encoding; other controls name theirs', async (t) => {
  const schema = text(1000);
  for (const c of ['\u0080', '\u0084', '\u0086', '\u0093', '\u0096', '\u009F']) {
    const result = schema.safeParse(`Minprom${c} 2026`);
    t.equal(result.success, false, `U+${c.charCodeAt(0).toString(16).toUpperCase()} is refused`);
    const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    t.match(result.error?.issues[0]?.message, new RegExp(`^control character ${code.replace("+", "\\+")} is not accepted: .*wrong encoding.*UTF-8`), `${code} is named`);
  }
  for (const [c, code] of [['\u0000', 'U+0000'], ['\u0007', 'U+0007'], ['\u001B', 'U+001B'], ['\u007F', 'U+007F']] as const) {
    t.equal(schema.safeParse(`a${c}b`).error?.issues[0]?.message, `control character ${code} is not accepted; tabs and line breaks are`, code);
  }
});

t.test('a task, a report, a deadline request and an indicator value store pasted line breaks as LF, and read back so', async (t) => {
  const app = await build(t);
  const { plan, task } = await approvedTask(app);
  const [name, pasted] = BREAKS[6]!;
  const patched = await app.inject({
    method: 'PATCH',
    url: `/v1/tasks/${task.id}`,
    payload: { description: 'One\r\nTwo', expectedResult: pasted, formOfCompletion: 'A\u000BB', translations: { ru: { title: 'Заголовок', description: 'Раз\u2028Два' } } },
  });
  t.equal(patched.statusCode, 200, name);
  t.match(json(patched), { description: 'One\nTwo', expectedResult: STORED, formOfCompletion: 'A\nB', translations: { ru: { description: 'Раз\nДва' } } });
  t.match(json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` })), { description: 'One\nTwo', expectedResult: STORED });

  const report = await app.inject({
    method: 'POST',
    url: `/v1/tasks/${task.id}/reports`,
    payload: { organizationId: task.assignees[0]!.organizationId, period: '2026-Q4', percentComplete: 10, confidence: 'green', narrative: BREAKS[0]![1], risks: BREAKS[4]![1] },
  });
  t.equal(report.statusCode, 201);
  t.match(json(report), { narrative: STORED, risks: STORED });

  const change = await app.inject({ method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-03-31', reason: BREAKS[5]![1] } });
  t.equal(change.statusCode, 201);
  t.equal(json(change).reason, STORED);

  const indicator = json(await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'Tractors', unit: 'tractors', baseline: 0, target: 100 } }));
  const value = await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q4`, payload: { value: 10, note: BREAKS[1]![1] } });
  t.equal(value.statusCode, 200);
  t.match(json(value).values, [{ period: '2026-Q4', note: STORED }]);
});

t.test('the same text sent again with CRLF instead of LF is no change: no history entry, a value recorded again keeps its time', async (t) => {
  const clock = testClock();
  const app = await build(t, clock);
  const { plan, task } = await approvedTask(app);
  await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { description: STORED } });
  const indicator = json(await app.inject({ method: 'POST', url: '/v1/indicators', payload: { planId: plan.id, name: 'Tractors', unit: 'tractors', baseline: 0, target: 100 } }));
  const first = await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q4`, payload: { value: 10, note: STORED } });
  const recorded = json(first);
  const entries = async () => json(await app.inject({ method: 'GET', url: `/v1/history?planId=${plan.id}` })).items.length;
  const before = await entries();

  clock.set('2026-11-29T12:00:00.000Z');
  const again = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { description: BREAKS[0]![1] } });
  t.equal(again.statusCode, 200);
  t.equal(json(again).description, STORED);
  const value = await app.inject({ method: 'PUT', url: `/v1/indicators/${indicator.id}/values/2026-Q4`, payload: { value: 10, note: BREAKS[0]![1] } });
  t.equal(value.statusCode, 200);
  t.equal(json(value).updatedAt, recorded.updatedAt, 'the indicator value recorded again from Windows is no change');
  t.equal(value.headers.etag, first.headers.etag, 'and keeps its ETag');
  t.equal(await entries(), before, 'no history entry for either');
});

t.test('a C1 control character in a description, a report or a reason is refused with 400 naming the field, and nothing is written', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  // "Поставки – 2026" sent as Windows-1251 bytes read as ISO 8859-1 would garble every letter; the en dash alone
  // (0x96) is what survives a sender that re-encodes the letters but not the punctuation.
  const mojibake = 'Поставки \u0096 2026';
  const description = await refused(t, app, { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { description: mojibake } }, 400, 'validation-failed');
  t.match(description.errors, [{ path: 'body.description', message: /^control character U\+0096 is not accepted: .*wrong encoding/ }]);
  const translation = await refused(
    t,
    app,
    { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { translations: { kk: { description: 'a\u0080b' } } } },
    400,
    'validation-failed',
  );
  t.match(translation.errors, [{ path: 'body.translations.kk.description', message: /U\+0080/ }]);
  const report = await refused(
    t,
    app,
    {
      method: 'POST',
      url: `/v1/tasks/${task.id}/reports`,
      payload: { organizationId: task.assignees[0]!.organizationId, period: '2026-Q4', percentComplete: 10, confidence: 'green', narrative: 'Done\u009F' },
    },
    400,
    'validation-failed',
  );
  t.match(report.errors, [{ path: 'body.narrative', message: /U\+009F/ }]);
  const reason = await refused(
    t,
    app,
    { method: 'POST', url: `/v1/tasks/${task.id}/deadline-changes`, payload: { kind: 'request', newDueDate: '2027-03-31', reason: 'Late\u001B[31m' } },
    400,
    'validation-failed',
  );
  t.match(reason.errors, [{ path: 'body.reason', message: 'control character U+001B is not accepted; tabs and line breaks are' }]);
});

t.test('the pattern published for a multi-line field takes what the service takes, in one pattern', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const doc = json(await app.inject({ method: 'GET', url: '/openapi.json' }));
  const schema = doc.components.schemas.UpdateTaskInput?.properties.description ?? doc.components.schemas.UpdateTask.properties.description;
  const string = schema.anyOf.find((s: { type?: string }) => s.type === 'string');
  t.equal(string.allOf, undefined, 'no allOf of patterns (generated clients type it unknown)');
  const pattern = new RegExp(string.pattern);
  const values = [...BREAKS.map(([, v]) => v), 'tab\there', 'a\u0080b', 'a\u0096b', 'a\u009Fb', 'a\u0007b', 'a\u007Fb', 'a\u001Bb', 'Ünïcödé – “quoted” …'];
  for (const value of values) {
    const res = await app.inject({ method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { description: value } });
    t.equal(res.statusCode === 200, pattern.test(value), `${shown(value)}: answered ${res.statusCode}, the pattern ${pattern.test(value) ? 'accepts' : 'refuses'} it`);
  }
});

t.test('free-text search refuses NEL, the line and paragraph separators and C1 controls, as no stored line holds them', async (t) => {
  const app = await build(t);
  for (const q of ['a\u0085b', 'a\u2028b', 'a\u2029b', 'a\u0096b', 'a\u0080b']) {
    for (const path of ['/v1/tasks', '/v1/organizations']) {
      const body = await refused(t, app, { method: 'GET', url: `${path}?q=${encodeURIComponent(q)}` }, 400, 'validation-failed');
      t.match(body.errors, [{ path: 'querystring.q', message: 'line breaks and control characters cannot be searched for' }], `${path} ${shown(q)}`);
    }
  }
  t.equal((await app.inject({ method: 'GET', url: `/v1/tasks?q=${encodeURIComponent('Поставки – “МТЗ”')}` })).statusCode, 200, 'typographic punctuation is searched for');
});
