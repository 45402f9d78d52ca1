// Tests of text that holds half a character (a lone UTF-16 surrogate, which JSON's \u escapes can carry): refused in
// every text field, naming the field and where, and nothing written. Stored, SQLite's UTF-8 turned each half into
// U+FFFD, and the altered text went into the history as a change.
import t from 'tap';
import { line, searchText, text } from '../../src/lib/common.schemas.js';
import { build, json, refused } from '../helper.js';
import { approvedTask, seedPlan } from '../factories.js';

/** Halves as clients send them: a high half before text, a high half at the end (an emoji cut in two), a low half alone. */
const HALVES: [string, string, number][] = [
  ['abc \ud83d end', 'D83D', 4],
  ['Тракторы 🚜 и \ud83d', 'D83D', 13], // the tractor is one character, two UTF-16 units
  ['\udc00 start', 'DC00', 0],
  ['\ude9c', 'DE9C', 0],
];

t.test('text(), line() and searchText() refuse half a character, naming the half and its position; whole characters pass', async (t) => {
  for (const [name, schema] of [['text', text(100)], ['line', line(100)], ['searchText', searchText(100)]] as const) {
    for (const [value, unit, at] of HALVES) {
      const result = schema.safeParse(value);
      t.equal(result.success, false, `${name}: ${JSON.stringify(value)} is refused`);
      t.equal(result.error?.issues.length, 1, `${name}: one issue, not one per later check`);
      t.match(result.error?.issues[0]?.message, `half a character (a lone UTF-16 surrogate, U+${unit}, after ${at} characters)`, `${name}: the half is named`);
    }
    t.equal(schema.parse('Тракторы 🚜 \ud83d\ude9c'), 'Тракторы 🚜 🚜', `${name}: an emoji written as its two escapes is one character, kept`);
  }
});

t.test('a task, a report, a translation and an organization refuse half a character, and nothing is written', async (t) => {
  const app = await build(t);
  const { task } = await approvedTask(app);
  const lead = task.assignees[0]!.organizationId;

  const fieldOf = (body: { errors?: { path: string; message: string }[] }) => body.errors?.map((e) => e.path);
  const cases: [string, Parameters<typeof refused>[2]][] = [
    ['body.description', { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { description: 'abc \ud83d end' } }],
    ['body.title', { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { title: '\ud800' } }],
    ['body.translations.kk.title', { method: 'PATCH', url: `/v1/tasks/${task.id}`, payload: { translations: { kk: { title: 'Трактор \udc00' } } } }],
    [
      'body.narrative',
      {
        method: 'POST',
        url: `/v1/tasks/${task.id}/reports`,
        payload: { organizationId: lead, period: '2026-Q4', percentComplete: 10, confidence: 'green', narrative: 'Done \ud83d' },
      },
    ],
    ['body.name', { method: 'PATCH', url: `/v1/organizations/${lead}`, payload: { name: 'Минпром \ud83d' } }],
  ];
  for (const [path, request] of cases) {
    const body = await refused(t, app, request, 400, 'validation-failed');
    t.strictSame(fieldOf(body), [path], `${path} is named`);
    t.match(body.errors[0].message, /half a character/, `${path}: said why`);
  }

  const read = json(await app.inject({ method: 'GET', url: `/v1/tasks/${task.id}` }));
  t.equal(read.description, task.description, 'the description is as it was');
  t.equal(read.title, task.title, 'the title is as it was');
});

t.test('whole characters outside the Basic Multilingual Plane are stored and read back as sent', async (t) => {
  const app = await build(t);
  const { plan, assignees } = await seedPlan(app);
  const created = await app.inject({
    method: 'POST',
    url: '/v1/tasks',
    payload: { planId: plan.id, code: '1.1', title: 'Harvest 🌾 \ud83d\ude9c', area: 'trade', dueDate: '2026-12-31', assignees },
  });
  t.equal(created.statusCode, 201);
  t.equal(json(created).title, 'Harvest 🌾 🚜');
  t.equal(json(await app.inject({ method: 'GET', url: `/v1/tasks/${json(created).id}` })).title, 'Harvest 🌾 🚜');
});
