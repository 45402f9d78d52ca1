// The progress report's charts as inline SVG strings: pure functions, no scripts, no external resources,
// readable in grayscale print (every fill has its own pattern or lightness, and every bar a text label).
import type { Confidence, TaskStatus } from '../../db/enums.js';
import { reportLocale, type ReportLocale } from './progress.locale.js';

const ENGLISH = reportLocale(null);

/** Escapes text for HTML and inline SVG, in element content and in quoted attributes alike. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A fill: a colour, optionally overlaid with a pattern, so series differ even without colour. */
export interface ChartFill {
  colour: string;
  pattern?: { kind: 'hatch' | 'crosshatch' | 'dots'; ink: string };
  /** Whether text drawn on the fill must be light (dark fills) or dark. */
  lightText?: boolean;
  /** An outline, for fills too pale to show their own edge on white paper. */
  outline?: string;
}

export interface Series {
  key: string;
  label: string;
  fill: ChartFill;
}

/** Left to right as a plan progresses: what is finished first, what has not begun last. */
export const STATUS_ORDER = ['closed', 'done', 'in_progress', 'on_hold', 'not_started', 'cancelled'] as const satisfies readonly TaskStatus[];

// Grayscale: closed is near-black and solid, not started near-white and solid; the middle ones differ by pattern.
const STATUS_FILLS: Record<TaskStatus, ChartFill> = {
  closed: { colour: '#1b5e20', lightText: true },
  done: { colour: '#81c784' },
  in_progress: { colour: '#90caf9', pattern: { kind: 'hatch', ink: '#1565c0' } },
  on_hold: { colour: '#ffe082', pattern: { kind: 'dots', ink: '#8d6e00' } },
  not_started: { colour: '#eeeeee', outline: '#9e9e9e' },
  cancelled: { colour: '#ffffff', pattern: { kind: 'crosshatch', ink: '#9e9e9e' }, outline: '#9e9e9e' },
};

const CONFIDENCE_FILLS: Record<Confidence | 'none', ChartFill> = {
  green: { colour: '#2e7d32', lightText: true },
  amber: { colour: '#ffb300', pattern: { kind: 'hatch', ink: '#6d4c00' } },
  red: { colour: '#ef9a9a', pattern: { kind: 'crosshatch', ink: '#b71c1c' } },
  none: { colour: '#ffffff', pattern: { kind: 'dots', ink: '#757575' }, outline: '#757575' },
};

const OVERDUE_FILL: ChartFill = { colour: '#b71c1c', lightText: true };

const WIDTH = 720;
const FONT = 12;
const CHAR = FONT * 0.58; // average glyph width at FONT px, Latin and Cyrillic alike: enough to lay out labels
const ROW = 26;
const GAP = 10;

const textWidth = (s: string, size = FONT) => s.length * size * 0.58;

function truncate(s: string, maxWidth: number): string {
  const max = Math.max(3, Math.floor(maxWidth / CHAR));
  // By code points: cut by UTF-16 units, an emoji would be split into a lone surrogate (shown as �).
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

const NUMBER = new Intl.NumberFormat('en-US');
const round1 = (n: number) => Math.round(n * 10) / 10;

function patternDefs(id: string, series: Series[]): string {
  const defs = series
    .filter((s) => s.fill.pattern)
    .map((s) => {
      const { kind, ink } = s.fill.pattern!;
      const pid = `${id}-fill-${s.key}`;
      const bg = `<rect width="8" height="8" fill="${s.fill.colour}"/>`;
      const marks =
        kind === 'dots'
          ? `<circle cx="2" cy="2" r="1.3" fill="${ink}"/><circle cx="6" cy="6" r="1.3" fill="${ink}"/>`
          : kind === 'crosshatch'
            ? `<path d="M0 0L8 8M8 0L0 8" stroke="${ink}" stroke-width="1.2"/>`
            : `<path d="M-2 2L2 -2M0 8L8 0M6 10L10 6" stroke="${ink}" stroke-width="1.6"/>`;
      return `<pattern id="${pid}" patternUnits="userSpaceOnUse" width="8" height="8">${bg}${marks}</pattern>`;
    });
  return defs.length ? `<defs>${defs.join('')}</defs>` : '';
}

function fillAttrs(id: string, s: Series): string {
  const fill = s.fill.pattern ? `url(#${id}-fill-${s.key})` : s.fill.colour;
  const stroke = s.fill.outline ? ` stroke="${s.fill.outline}" stroke-width="1"` : '';
  return `fill="${fill}"${stroke}`;
}

/** Text drawn over a fill: a white halo keeps dark text readable on patterns. */
function labelOn(fill: ChartFill, x: number, y: number, text: string): string {
  const paint = fill.lightText
    ? 'fill="#ffffff"'
    : 'fill="#000000" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"';
  return `<text x="${x}" y="${y}" text-anchor="middle" ${paint}>${escapeHtml(text)}</text>`;
}

function svgOpen(id: string, height: number, title: string, description: string): string {
  return (
    `<svg class="chart" id="${id}" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" ` +
    `width="${WIDTH}" height="${height}" font-family="inherit" font-size="${FONT}" fill="currentColor">` +
    `<title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>`
  );
}

/** A legend of swatches and labels, wrapped onto as many lines as the width needs; returns markup and height. */
function legend(id: string, series: Series[], top: number): { svg: string; height: number } {
  let x = 0;
  let y = top;
  const items: string[] = [];
  for (const s of series) {
    const w = 14 + 6 + textWidth(s.label) + 18;
    if (x > 0 && x + w > WIDTH) {
      x = 0;
      y += 20;
    }
    items.push(
      `<g class="legend-item"><rect x="${x}" y="${y}" width="14" height="14" ${fillAttrs(id, s)}/>` +
        `<text x="${x + 20}" y="${y + 11}">${escapeHtml(s.label)}</text></g>`,
    );
    x += w;
  }
  return { svg: `<g class="legend">${items.join('')}</g>`, height: y - top + 20 };
}

export interface StackedRow {
  label: string;
  values: Record<string, number>;
}

/** Horizontal bars, one per row, each split into the series in order; counts drawn on the segments wide enough. */
export function stackedBarChart(opts: {
  id: string;
  title: string;
  description: string;
  series: Series[];
  rows: StackedRow[];
  totalLabel: (total: number) => string;
  /** How a count on a segment is written (default English, "1,000"). */
  num?: (n: number) => string;
}): string {
  const { id, series, rows } = opts;
  const num = opts.num ?? NUMBER.format;
  const labelW = Math.min(200, Math.max(...rows.map((r) => textWidth(r.label)), 60) + 12);
  const totalW = Math.max(...rows.map((r) => textWidth(opts.totalLabel(sum(r)))), 40) + 12;
  const barW = WIDTH - labelW - totalW;
  const max = Math.max(1, ...rows.map(sum));
  const bars = rows.map((row, i) => {
    const y = i * (ROW + GAP);
    const mid = y + ROW / 2 + FONT * 0.35;
    let x = labelW;
    const segs = series.map((s) => {
      const v = row.values[s.key] ?? 0;
      if (v <= 0) return '';
      const w = (v / max) * barW;
      const seg =
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW}" ${fillAttrs(id, s)}>` +
        `<title>${escapeHtml(`${row.label}: ${s.label} ${num(v)}`)}</title></rect>` +
        (w >= textWidth(num(v)) + 8 ? labelOn(s.fill, x + w / 2, mid, num(v)) : '');
      x += w;
      return seg;
    });
    return (
      `<g class="bar-row"><text x="${labelW - 8}" y="${mid}" text-anchor="end">${escapeHtml(truncate(row.label, labelW - 12))}</text>` +
      `${segs.join('')}<text x="${(x + 6).toFixed(1)}" y="${mid}">${escapeHtml(opts.totalLabel(sum(row)))}</text></g>`
    );
  });
  const barsH = rows.length * (ROW + GAP);
  const leg = legend(id, series, barsH + 4);
  const height = barsH + 4 + leg.height;
  return `${svgOpen(id, height, opts.title, opts.description)}${patternDefs(id, series)}${bars.join('')}${leg.svg}</svg>`;

  function sum(r: StackedRow) {
    return series.reduce((acc, s) => acc + (r.values[s.key] ?? 0), 0);
  }
}

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** What is written after the bar, e.g. "3 tasks, 57 days late". */
  note: string;
  fill: ChartFill;
}

/** Horizontal bars from a common zero, each labelled on the left and with its value on the right. */
export function barChart(opts: { id: string; title: string; description: string; bars: Bar[] }): string {
  const { id, bars } = opts;
  const labelW = Math.min(240, Math.max(...bars.map((b) => textWidth(b.label)), 60) + 12);
  const noteW = Math.max(...bars.map((b) => textWidth(b.note)), 40) + 12;
  const barW = WIDTH - labelW - noteW;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const series = bars.map((b) => ({ key: b.key, label: b.label, fill: b.fill }));
  const rows = bars.map((b, i) => {
    const y = i * (ROW + GAP);
    const mid = y + ROW / 2 + FONT * 0.35;
    // A zero still gets a hairline, so the row reads as "none" rather than as missing.
    const w = b.value > 0 ? Math.max(2, (b.value / max) * barW) : 1;
    return (
      `<g class="bar-row"><text x="${labelW - 8}" y="${mid}" text-anchor="end">${escapeHtml(truncate(b.label, labelW - 12))}</text>` +
      `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${ROW}" ${fillAttrs(id, series[i]!)}>` +
      `<title>${escapeHtml(`${b.label}: ${b.note}`)}</title></rect>` +
      `<text x="${(labelW + w + 6).toFixed(1)}" y="${mid}">${escapeHtml(b.note)}</text></g>`
    );
  });
  const height = Math.max(1, bars.length) * (ROW + GAP) - GAP + 2;
  return `${svgOpen(id, height, opts.title, opts.description)}${patternDefs(id, series)}${rows.join('')}</svg>`;
}

// ---- The report's three charts, in the report's language ----

export function statusByPartyChart(rows: { label: string; byStatus: Record<TaskStatus, number> }[], L: ReportLocale = ENGLISH): string {
  const series = STATUS_ORDER.map((s) => ({ key: s, label: L.status[s], fill: STATUS_FILLS[s] }));
  const description = rows
    .map((r) => `${r.label}: ${STATUS_ORDER.map((s) => `${L.status[s]} ${L.int(r.byStatus[s])}`).join(', ')}.`)
    .join(' ');
  return stackedBarChart({
    id: 'chart-status',
    title: L.w.chartStatus,
    description,
    series,
    rows: rows.map((r) => ({ label: r.label, values: r.byStatus })),
    totalLabel: (n) => L.count(n, L.nouns.task),
    num: L.int,
  });
}

export function confidenceChart(counts: Record<Confidence | 'none', number>, L: ReportLocale = ENGLISH): string {
  const keys = ['green', 'amber', 'red', 'none'] as const;
  const total = keys.reduce((acc, k) => acc + counts[k], 0);
  const bars = keys.map((k) => {
    const share = total ? ` (${L.pct(round1((counts[k] / total) * 100))})` : '';
    return { key: k, label: L.confidence[k], value: counts[k], note: `${L.int(counts[k])}${share}`, fill: CONFIDENCE_FILLS[k] };
  });
  return barChart({
    id: 'chart-confidence',
    title: L.w.chartConfidence,
    description: bars.map((b) => `${b.label}: ${b.note}.`).join(' '),
    bars,
  });
}

export function overdueByOrganizationChart(
  rows: { key: string; label: string; overdue: number; overdueDays: number }[],
  L: ReportLocale = ENGLISH,
): string {
  const bars = rows.map((r) => ({
    key: `o${r.key.replace(/[^A-Za-z0-9_-]/g, '')}`,
    label: r.label,
    value: r.overdue,
    note: `${L.count(r.overdue, L.nouns.task)}, ${L.count(r.overdueDays, L.nouns.day)} ${L.w.late}`,
    fill: OVERDUE_FILL,
  }));
  return barChart({
    id: 'chart-overdue',
    title: L.w.chartOverdue,
    description: bars.map((b) => `${b.label}: ${b.note}.`).join(' '),
    bars,
  });
}
