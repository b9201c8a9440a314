// Draws a ChartModel as a small self-contained SVG document (no scripts, no external fonts), for reports:
// the same models as the terminal text, so a picture never says something the text does not.

import type { BarsModel, ChartModel, LinesModel, TableModel } from './chart-model.js';
import { formatShare, utcClock } from './chart-text.js';
import { formatOf, resolution } from './render-text.js';
import { formatCount } from './format.js';
import { binsToColumns } from './time-bins.js';

const WIDTH = 900;
const MARGIN = 20;
const FONT = 'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace"';
/** points of a line chart in the picture at most: one per 2 px of plot */
const SVG_COLUMNS = 400;
const PANEL_HEIGHT = 150;
const LINE_HEIGHT = 18;

const COLOURS: Readonly<Record<string, string>> = {
  '\x1b[31m': '#c62828',
  '\x1b[32m': '#2e7d32',
  '\x1b[33m': '#f9a825',
  '\x1b[34m': '#1565c0',
  '\x1b[35m': '#8e24aa',
  '\x1b[36m': '#00838f',
};

export function renderSvg(model: ChartModel): string {
  const body: string[] = [];
  let width = WIDTH;
  let y = MARGIN + 16;
  body.push(text(MARGIN, y, model.title, 'font-size="16" font-weight="bold"'));
  y += 10;
  const notes = model.kind === 'lines' ? [] : model.notes;
  switch (model.kind) {
    case 'lines':
      y = lines(model, body, y);
      break;
    case 'bars':
      y = bars(model, body, y);
      break;
    case 'table': {
      const drawn = table(model, body, y);
      y = drawn.y;
      width = Math.max(width, Math.ceil(drawn.right + MARGIN));
      break;
    }
    case 'message':
      break;
  }
  for (const note of notes) {
    y += LINE_HEIGHT;
    body.push(text(MARGIN, y, note, 'font-size="12" fill="#555"'));
  }
  const height = y + MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<g ${FONT} font-size="12" fill="#222">`,
    ...body,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

function lines(model: LinesModel, body: string[], top: number): number {
  let y = top;
  const left = MARGIN + 60;
  const plotWidth = WIDTH - left - MARGIN;
  // a picture is not stretched: short inputs keep one point per bin
  const fitted = model.panels.map((p) => binsToColumns(p.bins, p.binWidth, p.start, Math.min(SVG_COLUMNS, Math.max(1, p.bins.length)), p.fold));
  const hasData = fitted.some((c) => c.values.length > 0);
  for (const note of [...model.notes, ...(hasData ? [model.columnNote(resolution(model, fitted[0], 'point'))] : [])]) {
    y += LINE_HEIGHT;
    body.push(text(MARGIN, y, note, 'font-size="12" fill="#555"'));
  }
  model.panels.forEach((panel, i) => {
    const cols = fitted[i];
    y += LINE_HEIGHT + 6;
    if (panel.title) body.push(text(MARGIN, y, panel.title, 'font-weight="bold"'));
    y += 10;
    const min = panel.min ?? 0;
    let max = panel.max ?? Math.max(min, ...Array.from(cols.values).filter(Number.isFinite), ...(panel.markers ?? []));
    if (!(max > min)) max = min + 1;
    const plotTop = y;
    const plotBottom = y + PANEL_HEIGHT;
    const n = cols.values.length;
    const xOf = (i: number) => left + (n <= 1 ? 0 : (i * plotWidth) / (n - 1));
    const yOf = (v: number) => plotBottom - ((Math.min(max, Math.max(min, v)) - min) / (max - min)) * PANEL_HEIGHT;
    const format = formatOf(panel);
    body.push(`<rect x="${left}" y="${plotTop}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="#fafafa" stroke="#ccc"/>`);
    for (const v of [min, (min + max) / 2, max]) {
      body.push(`<line x1="${left}" y1="${num(yOf(v))}" x2="${left + plotWidth}" y2="${num(yOf(v))}" stroke="#e0e0e0"/>`);
      body.push(text(left - 6, yOf(v) + 4, format(v), 'text-anchor="end"'));
    }
    for (const m of panel.markers ?? []) {
      body.push(`<line x1="${left}" y1="${num(yOf(m))}" x2="${left + plotWidth}" y2="${num(yOf(m))}" stroke="#f9a825" stroke-width="1.5" stroke-dasharray="6 4"/>`);
      body.push(text(left + plotWidth - 4, yOf(m) - 4, `threshold ${m.toFixed(4)}`, 'text-anchor="end" fill="#a66f00"'));
    }
    // runs of values between gaps become separate polylines; a lone value a dot
    const colour = COLOURS[panel.colour] ?? '#1565c0';
    let run: string[] = [];
    const flush = () => {
      if (run.length === 1) body.push(`<circle cx="${run[0].split(',')[0]}" cy="${run[0].split(',')[1]}" r="2" fill="${colour}"/>`);
      else if (run.length > 1) body.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${run.join(' ')}"/>`);
      run = [];
    };
    for (let k = 0; k < n; k++) {
      const v = cols.values[k];
      if (Number.isFinite(v)) run.push(`${num(xOf(k))},${num(yOf(v))}`);
      else flush();
    }
    flush();
    if (n === 0) body.push(text(left + plotWidth / 2, plotTop + PANEL_HEIGHT / 2, '(no data)', 'text-anchor="middle" fill="#888"'));
    y = plotBottom + 16;
    if (n > 0) {
      const end = cols.start + n * cols.columnWidth;
      const from = model.axis === 'time' ? utcClock(cols.start) : `row ${formatCount(Math.max(1, cols.start))}`;
      const to = model.axis === 'time' ? utcClock(end) : `row ${formatCount(Math.min(model.lastX, end - 1))}`;
      body.push(text(left, y, from, ''));
      body.push(text(left + plotWidth, y, to, 'text-anchor="end"'));
    }
  });
  return y;
}

function bars(model: BarsModel, body: string[], top: number): number {
  let y = top + 6;
  const labelWidth = 200;
  const valueWidth = 150;
  const barMax = WIDTH - MARGIN * 2 - labelWidth - valueWidth;
  const largest = Math.max(0, ...model.rows.map((r) => r.value));
  for (const r of model.rows) {
    y += LINE_HEIGHT + 4;
    const w = largest > 0 ? (r.value / largest) * barMax : 0;
    const colour = COLOURS[r.colour ?? model.colour] ?? '#00838f';
    body.push(text(MARGIN, y, r.label, ''));
    body.push(`<rect x="${MARGIN + labelWidth}" y="${y - 12}" width="${num(Math.max(r.value > 0 ? 1 : 0, w))}" height="14" fill="${colour}"/>`);
    const share = formatShare(model.total > 0 ? r.value / model.total : 0);
    body.push(text(WIDTH - MARGIN, y, `${formatCount(r.value)}  ${share}`, 'text-anchor="end"'));
  }
  return y + 6;
}

/** Draws the table; returns the baseline of its last row and its right edge (a wide table widens the picture). */
function table(model: TableModel, body: string[], top: number): { y: number; right: number } {
  let y = top + 6;
  const widths = model.head.map((h, i) => Math.max(h.length, ...model.rows.map((r) => (r[i] ?? '').length)));
  const charWidth = 7.2;
  const xs: number[] = [];
  let x = MARGIN;
  for (const w of widths) {
    xs.push(x);
    x += (w + 2) * charWidth;
  }
  const cell = (row: string[], weight: string) => {
    y += LINE_HEIGHT;
    row.forEach((c, i) => {
      const right = model.align[i] === 'r';
      const at = right ? xs[i] + widths[i] * charWidth : xs[i];
      body.push(text(at, y, c, `${right ? 'text-anchor="end" ' : ''}${weight}`));
    });
  };
  cell(model.head, 'font-weight="bold"');
  body.push(`<line x1="${MARGIN}" y1="${y + 5}" x2="${num(x)}" y2="${y + 5}" stroke="#999"/>`);
  y += 4;
  for (const row of model.rows) cell(row, '');
  return { y: y + 6, right: x };
}

function text(x: number, y: number, content: string, attributes: string): string {
  return `<text x="${num(x)}" y="${num(y)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
