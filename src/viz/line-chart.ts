// A line chart on asciichart 1.5.25, behind a wrapper that removes its traps: it throws on NaN and on an
// empty series, collapses a constant series to one row, sizes itself by the series length and truncates
// large labels. Here the caller gives values already fitted to the width (NaN = no data there, drawn as a
// gap), labels are formatted and padded by us, the range always starts at `min`, and reference lines
// (a threshold) are drawn dashed so they read without colour.

import asciichart from 'asciichart';
import { ANSI, type AnsiColour, paint } from './chart-text.js';

export interface LineChartSpec {
  /** one value per column; NaN or ±Infinity = no data in that column */
  values: ArrayLike<number>;
  /** rows of the plot area, not counting the extra row asciichart may add */
  height: number;
  /** y-axis label for a value (padded by us to a common width) */
  format: (value: number) => string;
  /** labels are padded to at least this many characters, so stacked charts share their columns */
  minLabelWidth?: number;
  /** bottom of the y axis (default 0) */
  min?: number;
  /** top of the y axis (default: the largest value, the markers included; at least min + 1e-9) */
  max?: number;
  /** horizontal reference lines drawn with ╌ where the series does not pass */
  markers?: readonly number[];
  colour?: AnsiColour;
  markerColour?: AnsiColour;
  colourEnabled: boolean;
}

export interface LineChart {
  lines: string[];
  /** characters before the first data column (labels, a space and the axis) */
  plotLeft: number;
}

/** asciichart's column offset: label cell, one space, the axis */
const OFFSET = 3;
const AXIS = '┤';
const GAP_MARK = '─';
const MARKER = '╌';
// '┤' instead of asciichart's '┼' for the first value too: its '┼' marks "y == 0" in scaled units, which
// lands on the top row whenever min is 0, a quirk of 1.5.25
const SYMBOLS: [string, string, string, string, string, string, string, string, string, string] = [AXIS, AXIS, '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'];

/** The y range a chart of these values uses: [min (default 0), max (default the largest value or marker)]. */
export function chartRange(values: ArrayLike<number>, spec: { min?: number; max?: number; markers?: readonly number[] }): { min: number; max: number } {
  const min = spec.min ?? 0;
  let max = spec.max;
  if (max === undefined) {
    max = min;
    for (let i = 0; i < values.length; i++) if (values[i] > max && Number.isFinite(values[i])) max = values[i];
    for (const m of spec.markers ?? []) if (m > max) max = m;
  }
  // a constant or all-zero series still gets a y range (asciichart would collapse it to one row)
  if (!(max > min)) max = min === 0 ? 1 : min + Math.abs(min);
  return { min, max };
}

/** Characters the labels of this chart take (before padding), so stacked charts can share one width. */
export function labelWidth(spec: Pick<LineChartSpec, 'values' | 'format' | 'min' | 'max' | 'markers' | 'height'>): number {
  const { min, max } = chartRange(spec.values, spec);
  return Math.max(3, ...scaleRows(min, max, Math.max(1, Math.round(spec.height))).labels.map((v) => spec.format(v).length));
}

/**
 * The line under a chart: `from` under the first data column, `to` ending under the last one (`columns`
 * after plotLeft - 1), and `middle` centred when all three fit with room to spare.
 */
export function axisLabels(plotLeft: number, columns: number, from: string, to: string, middle?: string): string {
  const start = plotLeft - 1;
  const end = start + Math.max(1, columns); // one past the last column
  const cells = Array.from(' '.repeat(end + 1));
  const put = (text: string, at: number) => {
    for (let i = 0; i < text.length; i++) cells[at + i] = text[i];
  };
  put(from, start);
  if (to !== '' && from.length + to.length + 2 <= end - start) put(to, end - to.length);
  if (middle && from.length + middle.length + to.length + 6 <= end - start) put(middle, start + Math.floor((end - start - middle.length) / 2));
  return cells.join('').trimEnd();
}

/** The data columns available in `width` characters with labels `labelChars` wide. */
export function plotColumns(width: number, labelChars: number): number {
  // label + space + axis (first value) + one column per further value, and one spare cell asciichart keeps
  return Math.max(2, width - labelChars - 2);
}

/** Renders the chart; every line is at most labelWidth + 2 + values.length characters (without colour codes). */
export function lineChart(spec: LineChartSpec): LineChart {
  const n = spec.values.length;
  const clean = new Float64Array(n);
  const gap = new Uint8Array(n);
  let seen = false;
  for (let i = 0; i < n; i++) {
    const v = spec.values[i];
    if (Number.isFinite(v)) {
      clean[i] = v;
      seen = true;
    } else gap[i] = 1;
  }
  const { min, max } = chartRange(spec.values, spec);
  const height = Math.max(1, Math.round(spec.height));
  const { labels } = scaleRows(min, max, height);
  const width = Math.max(3, spec.minLabelWidth ?? 0, ...labels.map((v) => spec.format(v).length));
  if (n === 0 || !seen) {
    return { lines: [`${' '.repeat(width + 1)}(no data)`], plotLeft: width + 2 };
  }
  // gaps take a neighbour's value for asciichart and are blanked afterwards; values clamp into the range
  let last = Number.NaN;
  for (let i = 0; i < n; i++) if (!gap[i]) last = Number.isNaN(last) ? clean[i] : last;
  for (let i = 0; i < n; i++) {
    if (gap[i]) clean[i] = last;
    else last = clean[i];
    clean[i] = Math.min(max, Math.max(min, clean[i]));
  }
  const text = asciichart.plot(Array.from(n === 1 ? [clean[0], clean[0]] : clean), {
    min,
    max,
    height,
    offset: OFFSET,
    symbols: SYMBOLS,
    format: (v: number) => spec.format(v).padStart(width),
  });
  const rows = text.split('\n').map((line) => Array.from(line));
  const axisAt = width + 1;
  const columnAt = (x: number) => axisAt + 1 + x; // the segment from value x to x + 1
  const scale = rowScale(min, max, height);
  const rowOf = (v: number) => scale.rows - (Math.round(v * scale.ratio) - scale.min2);
  if (n === 1) {
    // one value: asciichart drew it twice; keep a single dash
    for (const row of rows) row.length = Math.min(row.length, columnAt(1));
  }
  for (let x = 0; x < n; x++) {
    const blank = gap[x] === 1 || (x + 1 < n && gap[x + 1] === 1) || x === n - 1;
    if (!blank) continue;
    for (const row of rows) if (row.length > columnAt(x)) row[columnAt(x)] = ' ';
    const alone = gap[x] === 0 && (x === 0 || gap[x - 1] === 1);
    if (alone) {
      const row = rows[rowOf(clean[x])];
      while (row.length <= columnAt(x)) row.push(' ');
      row[columnAt(x)] = GAP_MARK;
    }
  }
  for (const m of spec.markers ?? []) {
    if (!(m >= min && m <= max)) continue;
    const row = rows[rowOf(m)];
    while (row.length < columnAt(n)) row.push(' ');
    for (let c = axisAt + 1; c < row.length; c++) if (row[c] === ' ') row[c] = MARKER;
    // the row's label says the marker's own value (0.62), not the grid value it was rounded to (0.60)
    const label = spec.format(m).padStart(width);
    if (label.length === width) row.splice(0, width, ...Array.from(label));
  }
  const lines = rows.map((row) => {
    const label = row.slice(0, axisAt + 1).join('');
    const plot = row.slice(axisAt + 1).join('').trimEnd();
    return (label + colourPlot(plot, spec)).trimEnd();
  });
  return { lines, plotLeft: axisAt + 1 };
}

function colourPlot(plot: string, spec: LineChartSpec): string {
  if (!spec.colourEnabled) return plot;
  // runs of marker characters in one colour, everything else that is drawn in the series colour
  return plot.replace(/(╌+)|([^\s╌]+)/g, (_, marker: string | undefined, line: string | undefined) =>
    marker ? paint(marker, spec.markerColour ?? ANSI.yellow, true) : paint(line ?? '', spec.colour, true),
  );
}

/** asciichart's own scaling, repeated so rows can be found for values (labels, markers, isolated points). */
function rowScale(min: number, max: number, height: number): { ratio: number; min2: number; rows: number } {
  const range = Math.abs(max - min);
  const ratio = range !== 0 ? height / range : 1;
  const min2 = Math.round(min * ratio);
  const max2 = Math.round(max * ratio);
  return { ratio, min2, rows: Math.abs(max2 - min2) };
}

function scaleRows(min: number, max: number, height: number): { labels: number[] } {
  const { min2, rows } = rowScale(min, max, height);
  const range = Math.abs(max - min);
  const labels: number[] = [];
  for (let y = min2; y <= min2 + rows; y++) labels.push(rows > 0 ? max - ((y - min2) * range) / rows : y);
  return { labels };
}
