// Draws a ChartModel as terminal text fitted to a width: line panels share one column grid and one time
// axis, bars and tables shrink their labels and addresses rather than wrap.

import { barChart } from './bar-chart.js';
import type { ChartModel, ChartOptions, LinePanel, LinesModel } from './chart-model.js';
import { compactNumber, formatSpan, heading, utcClock, wrapWords } from './chart-text.js';
import { fittedTable } from './fitted-table.js';
import { formatCount } from './format.js';
import { axisLabels, lineChart, plotColumns } from './line-chart.js';
import { binsToColumns, type ColumnSeries } from './time-bins.js';

/** Label characters of a panel: compactNumber never needs more than 6 for values >= 0, scores take 5 (0.725). */
const LABEL_WIDTH = { compact: 6, score: 5 } as const;

export function renderText(model: ChartModel, o: ChartOptions): string {
  const out = [heading(model.title, o.width, o.colour)];
  switch (model.kind) {
    case 'lines':
      renderLines(model, o, out);
      break;
    case 'bars':
      out.push(...barChart(model.rows, { width: o.width, colourEnabled: o.colour, colour: model.colour, total: model.total }));
      break;
    case 'table':
      out.push(fittedTable(model.head, model.rows, { width: o.width, colour: o.colour, align: model.align, flexible: model.flexible, optional: model.optional }));
      break;
    case 'message':
      break;
  }
  for (const note of model.kind === 'lines' ? [] : model.notes) out.push(...wrapWords(note, o.width));
  return out.join('\n');
}

function renderLines(model: LinesModel, o: ChartOptions, out: string[]): void {
  const labelChars = Math.max(...model.panels.map((p) => LABEL_WIDTH[p.labels]));
  const columns = plotColumns(o.width, labelChars);
  const fitted = model.panels.map((p) => binsToColumns(p.bins, p.binWidth, p.start, columns, p.fold));
  const hasData = fitted.some((c) => c.values.length > 0);
  const text = [...model.notes, ...(hasData ? [model.columnNote(resolution(model, fitted[0]))] : [])].join(' ');
  out.push(...wrapWords(text, o.width));
  model.panels.forEach((panel, i) => {
    const cols = fitted[i];
    if (model.panels.length > 1 || panel.title !== '') out.push('', panel.title);
    else out.push('');
    const chart = lineChart({
      values: cols.values,
      height: panel.height,
      min: panel.min,
      max: panel.max,
      markers: panel.markers,
      format: formatOf(panel),
      minLabelWidth: labelChars,
      colour: panel.colour,
      colourEnabled: o.colour,
    });
    out.push(...chart.lines);
    const m = cols.values.length;
    if (m === 0) return;
    const end = cols.start + m * cols.columnWidth;
    if (model.axis === 'time') out.push(axisLabels(chart.plotLeft, m, utcClock(cols.start), utcClock(end)));
    else out.push(axisLabels(chart.plotLeft, m, `row ${formatCount(Math.max(1, cols.start))}`, `row ${formatCount(Math.min(model.lastX, end - 1))}`));
  });
}

/** "one column = 2 s", "1 s = 3 columns" (short inputs are stretched), "one column = 20 rows"; SVG says "point". */
export function resolution(model: LinesModel, cols: ColumnSeries | undefined, noun: 'column' | 'point' = 'column'): string {
  if (!cols) return 'no data';
  const unit = (n: number) => (model.axis === 'time' ? formatSpan(n) : `${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`);
  if (cols.repeat > 1) return `${unit(cols.columnWidth * cols.repeat)} = ${cols.repeat} ${noun}s`;
  return `one ${noun} = ${unit(cols.columnWidth)}`;
}

/** Score labels get a third decimal when the axis spans less than half of 0..1, so rows stay distinct. */
export function formatOf(panel: LinePanel): (v: number) => string {
  if (panel.labels === 'compact') return compactNumber;
  const digits = (panel.max ?? 1) - (panel.min ?? 0) < 0.5 ? 3 : 2;
  return (v) => v.toFixed(digits);
}
