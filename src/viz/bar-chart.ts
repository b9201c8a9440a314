// Horizontal bars with their count and share, fitted to a width: "tcp  ██████████▍   5,123  73.4%".
// Bars are scaled to the largest row (so the leader fills the bar) and drawn in eighths of a cell.

import { type AnsiColour, formatShare, paint, truncateMiddle } from './chart-text.js';
import { formatCount } from './format.js';

export interface BarRow {
  label: string;
  value: number;
  /** optional colour of this bar (e.g. red for SUSPICIOUS) */
  colour?: AnsiColour;
}

export interface BarChartOptions {
  width: number;
  /** the whole the shares are taken of (default: the sum of the rows) */
  total?: number;
  colour?: AnsiColour;
  colourEnabled: boolean;
  /** formats the value column (default: a thousands-separated count) */
  formatValue?: (value: number) => string;
  /** longest label kept before it is shortened in the middle (default 28) */
  maxLabel?: number;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const MIN_BAR = 10;

/** A bar of up to `cells` cells for `share` in 0..1, in eighths of a cell; a non-zero share shows at least ▏. */
export function barCells(share: number, cells: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  let eighths = Math.round(clamped * cells * 8);
  if (eighths === 0 && clamped > 0) eighths = 1;
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export function barChart(rows: readonly BarRow[], options: BarChartOptions): string[] {
  if (rows.length === 0) return ['(nothing to show)'];
  const format = options.formatValue ?? formatCount;
  const total = options.total ?? rows.reduce((s, r) => s + r.value, 0);
  const largest = Math.max(...rows.map((r) => r.value));
  const labels = rows.map((r) => truncateMiddle(r.label, options.maxLabel ?? 28));
  const values = rows.map((r) => format(r.value));
  const shares = rows.map((r) => formatShare(total > 0 ? r.value / total : 0));
  const labelW = Math.max(...labels.map((l) => l.length));
  const valueW = Math.max(...values.map((v) => v.length));
  const shareW = Math.max(...shares.map((s) => s.length));
  // label, space, bar, two spaces, value, two spaces, share
  let barW = options.width - labelW - valueW - shareW - 5;
  let labelKeep = labelW;
  if (barW < MIN_BAR) {
    labelKeep = Math.max(6, labelW - (MIN_BAR - barW));
    barW = options.width - labelKeep - valueW - shareW - 5;
  }
  return rows.map((r, i) => {
    const bar = barCells(largest > 0 ? r.value / largest : 0, Math.max(1, barW));
    const label = truncateMiddle(labels[i], labelKeep).padEnd(labelKeep);
    const cells = `${paint(bar, r.colour ?? options.colour, options.colourEnabled)}${' '.repeat(Math.max(0, barW - bar.length))}`;
    return `${label} ${cells}  ${values[i].padStart(valueW)}  ${shares[i].padStart(shareW)}`.trimEnd();
  });
}
