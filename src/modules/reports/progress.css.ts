// The progress report's inline stylesheet: clean on screen, black on white on A4 paper, no external fonts or images.
export const PROGRESS_REPORT_CSS = `
:root { color-scheme: light; --ink: #111; --muted: #555; --rule: #c8c8c8; --head: #f1f3f5; --bad: #b71c1c; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1100px; padding: 24px 28px 40px; color: var(--ink); background: #fff;
  font: 14px/1.45 "Segoe UI", "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
h1 { font-size: 24px; line-height: 1.25; margin: 2px 0 8px; }
h2 { font-size: 18px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 8px; }
section { margin: 28px 0 0; }
p { margin: 0 0 10px; }
.commission { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); font-size: 13px; }
.meta strong { color: var(--ink); }
.plans { margin: 0 0 8px; padding-left: 20px; }
.toc { display: flex; flex-wrap: wrap; gap: 6px 14px; margin-top: 10px; padding: 8px 0; border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); font-size: 13px; }
.toc a { color: #0b57d0; text-decoration: none; }
.toc a:hover { text-decoration: underline; }
.intro { color: #333; }
.muted, .was, .period, .short, .country { color: var(--muted); }
.was, .period, .basis { font-size: 12px; }
.basis { color: var(--muted); }
.country { font-size: 11px; }
.empty { padding: 8px 12px; border: 1px dashed var(--rule); color: var(--muted); }
abbr { text-decoration: none; }
time { white-space: nowrap; }

.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; margin: 0; }
.kpi { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 12px; }
.kpi dt { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.kpi dd { margin: 0; }
.kpi .value { display: block; font-size: 26px; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.kpi .note { display: block; font-size: 12px; color: var(--muted); }
.kpi.alert { border: 2px solid var(--bad); }
.kpi.alert .value { color: var(--bad); }

table { width: 100%; border-collapse: collapse; margin: 6px 0 16px; font-size: 13px; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
thead th { background: var(--head); border-bottom: 2px solid #888; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fafafa; }
tfoot td { border-top: 2px solid #888; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { white-space: normal; overflow-wrap: normal; }
thead th { vertical-align: bottom; }
td.code { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.title { min-width: 16em; }
td.bad { color: var(--bad); font-weight: 700; }
table.compact { font-size: 12px; }
table.compact th, table.compact td { padding: 4px 5px; }
.meter { display: inline-block; width: 70px; height: 10px; border: 1px solid #333; vertical-align: middle; background: #fff; }
.meter > span { display: block; height: 100%; background: #333; }
td.progress { white-space: nowrap; }

.chart-figure { margin: 8px 0 16px; }
.chart-figure figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
svg.chart { display: block; width: 100%; max-width: 720px; height: auto; overflow: visible; }
.report-footer { margin-top: 32px; padding-top: 8px; border-top: 1px solid var(--rule); font-size: 12px; color: var(--muted); }

@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; color: #000; }
  h1 { font-size: 17pt; }
  h2 { font-size: 13pt; break-after: avoid; page-break-after: avoid; }
  h3, caption { break-after: avoid; page-break-after: avoid; }
  section { margin-top: 14pt; }
  .toc { display: none; }
  table { font-size: 9pt; }
  table.compact { font-size: 8.5pt; }
  th, td { padding: 3px 4px; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, .kpi, .chart-figure, svg.chart { break-inside: avoid; page-break-inside: avoid; }
  .kpis { grid-template-columns: repeat(4, 1fr); gap: 6pt; }
  .kpi .value { font-size: 16pt; }
  tbody tr:nth-child(even) td, thead th { background: #fff; }
  thead th { border-bottom: 1.5pt solid #000; }
  .muted, .was, .period, .basis, .short, .country, .kpi dt, .kpi .note, .meta, .commission, figcaption, .report-footer { color: #333; }
  .kpi.alert .value, td.bad { color: #000; }
  .kpi.alert { border: 2pt solid #000; }
}
`;
