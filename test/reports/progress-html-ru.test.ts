// The printable report asked for in Russian (lang=ru, be or kk) reads as Russian: labels, dates and numbers as a
// co-chair's office in Minsk or Astana writes them, so "1,210" is never read as one and a fifth.
import t from 'tap';
import { renderProgressHtml } from '../../src/modules/reports/progress.html.js';
import { progressReportFixture } from './fixtures.js';

const decode = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const text = (html: string) => decode(html.replace(/<br>/g, ' ').replace(/<[^>]+>/g, ' ')).replace(/[ \t\r\n]+/g, ' ').trim();
const visible = (html: string) => text(html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<(title|desc)\b[^>]*>[\s\S]*?<\/\1>/g, ''));

function tableByCaption(html: string, caption: string) {
  const tables = [...html.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/g)].map((m) => m[1]!);
  const found = tables.find((tb) => text(/<caption>([\s\S]*?)<\/caption>/.exec(tb)?.[1] ?? '') === caption);
  if (!found) throw new Error(`no table captioned "${caption}"`);
  const rows = (part: string) =>
    [...(new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(found)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => text(c[1]!)),
    );
  return { head: rows('thead')[0] ?? [], body: rows('tbody') };
}

const NBSP = '\u00a0';
const ru = renderProgressHtml(progressReportFixture({ lang: 'ru' }));

t.test('asked for in Russian, the page has no English left but the data itself', async (t) => {
  const h2 = [...ru.matchAll(/<h2[^>]*>([\s\S]*?)<\/h2>/g)].map((m) => text(m[1]!));
  t.strictSame(h2, [
    'Основные показатели',
    'Исполнение по сторонам',
    'Кто отстаёт',
    'Непредставленные отчёты',
    'Переносы сроков',
    'Уверенность в исполнении',
    'По направлениям и организациям',
    'Индикаторы',
  ]);
  t.match(text(/<h1>([\s\S]*?)<\/h1>/.exec(ru)![1]!), /^Отчёт о ходе выполнения: План мероприятий/);
  // The fixture's data is Russian but for one organization's name ("Ministry of Trade & Integration of Kazakhstan");
  // every English word left on the page is a label the page forgot to translate.
  const words = visible(ru.replaceAll('Ministry of Trade &amp; Integration of Kazakhstan', ''))
    .match(/[A-Za-z]{3,}/g)
    ?.filter((w) => !['script', 'alert', 'xss', 'Europe', 'Minsk'].includes(w)); // the title's script, the zone's name
  t.strictSame(words ?? [], [], 'no English word on the page');
});

t.test('in Russian, numbers group thousands with a space and use a decimal comma; dates read dd.mm.yyyy', async (t) => {
  const ind = tableByCaption(ru, 'Индикаторы в сравнении с целевыми значениями');
  t.strictSame(ind.body[0], ['Товарооборот между Беларусью и Казахстаном', '—', 'млн долл. США', `1${NBSP}000`, `1${NBSP}500`, `1${NBSP}210 2026-Q3`, `42${NBSP}%`]);
  const party = tableByCaption(ru, 'Задачи по статусам и сторонам');
  t.strictSame(party.body[0], ['Беларусь (BY)', '6', '2', '0', '2', '0', '1', '1', `33,3${NBSP}%`, '2', '1']);
  const missing = tableByCaption(ru, 'Исполнители без отчёта за последний истёкший период');
  t.equal(missing.body[0]![5], '10.10.2026', 'the deadline as dd.mm.yyyy');
  t.match(text(ru), 'По состоянию на 28.11.2026');
  t.notMatch(ru, /\d,\d{3}\b/, 'no comma as a thousands separator');
});

t.test('Belarusian and Kazakh pages use the commission\'s working language, Russian, for their labels', async (t) => {
  for (const lang of ['be', 'kk'] as const) {
    const out = renderProgressHtml(progressReportFixture({ lang }));
    // The page's words are Russian: a screen reader set by lang="kk" read them with a Kazakh voice.
    t.match(out, '<html lang="ru">', `${lang}: the lang of the page is that of its words, Russian`);
    t.match(out, '<h2 id="key-figures-h">Основные показатели</h2>', `${lang}: labels in Russian`);
  }
});

t.test('in English, or with no language, the page stays as it was', async (t) => {
  for (const lang of ['en', null] as const) {
    const out = renderProgressHtml(progressReportFixture({ lang }));
    t.match(out, '<h2 id="key-figures-h">Key figures</h2>');
    t.match(text(out), 'As of 28 Nov 2026');
    t.match(text(out), '1,210 2026-Q3');
  }
});

t.test('a task rated red or amber that is not yet overdue is named under "at risk", red first; without one, a sentence says so', async (t) => {
  const report = progressReportFixture({ lang: 'en' });
  const byCode = (c: string) => report.tasks.find((x) => x.code === c)!;
  byCode('2.1').confidence = 'amber';
  byCode('3.2').confidence = 'red';
  byCode('2.2').confidence = 'red'; // reported done: no longer a question of delivery
  const out = renderProgressHtml(report);
  const tb = tableByCaption(out, 'Open tasks not yet overdue whose latest report rates delivery at risk or off track, off track first');
  t.strictSame(tb.head, ['Code', 'Task', 'Executors', 'Due', 'Status', '% complete', 'Confidence']);
  t.strictSame(
    tb.body.map((r) => [r[0], r[6]]),
    [
      ['3.2', 'Red: off track'],
      ['2.1', 'Amber: at risk'],
    ],
    'overdue tasks are in their own table; done, closed and cancelled ones are not at risk',
  );
  t.match(text(renderProgressHtml(progressReportFixture({ lang: 'en' }))), 'No open task is rated at risk or off track beyond the overdue ones.');
  const ru = renderProgressHtml({ ...report, lang: 'ru' });
  t.match(text(ru), 'Под угрозой срыва');
});

t.test('"most behind" singles organizations out only when it does: a tie of all of them is said in one number', async (t) => {
  const report = progressReportFixture({ lang: 'en' });
  for (const o of report.byOrganization) if (o.overdue > 0) o.overdue = 1;
  const intro = (html: string) => text(/<section id="behind"[\s\S]*?<p class="intro">([\s\S]*?)<\/p>/.exec(html)![1]!);
  t.equal(intro(renderProgressHtml(report)), '2 tasks are overdue, 87 days late in total. 3 organizations are behind, 1 overdue task each.');
  t.equal(intro(renderProgressHtml({ ...report, lang: 'ru' })), 'Просрочено: 2 задачи, всего 87 дней просрочки. Просрочки у 3 организаций, у каждой — 1 задача.');
});

t.test('in Russian, a task on hold is "suspended", never "postponed": postponed is what the page calls a moved deadline', async (t) => {
  // A co-chair counts postponements (переносы сроков, "Задач с переносом срока") on the same page: a status
  // labelled "Отложена" (postponed) beside them read as tasks whose deadlines were moved, which on_hold is not.
  const party = tableByCaption(ru, 'Задачи по статусам и сторонам');
  t.ok(party.head.includes('Приоста\u00adновлена'), 'the on_hold column is "Приостановлена" (a soft hyphen lets it break on the printed page)');
  t.notMatch(visible(ru), /Отложен/, 'no status reads as "postponed"');
});
