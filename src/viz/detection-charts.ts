// The charts of results/detections.csv, as models drawn by render-text.ts and render-svg.ts: the anomaly
// score over time with the threshold line, NORMAL vs SUSPICIOUS, predicted classes (random forest), the top
// suspicious rows and the hosts they involve.

import type { ChartModel, LinesModel } from './chart-model.js';
import { ANSI, formatScore, utcClock, utcDateTime } from './chart-text.js';
import { DetectionChannel, type DetectionSummary } from './detection-summary.js';
import { formatCount } from './format.js';

export const DETECTION_CHART_NAMES = ['scores', 'verdicts', 'classes', 'suspicious', 'hosts'] as const;
export type DetectionChartName = (typeof DETECTION_CHART_NAMES)[number];

const SCORE_HEIGHT = 10;

export function detectionChart(name: DetectionChartName, d: DetectionSummary, top = 10): ChartModel {
  switch (name) {
    case 'scores':
      return scoreModel(d);
    case 'verdicts':
      return {
        kind: 'bars',
        title: 'Verdicts',
        rows: [
          { label: 'NORMAL', value: d.normal, colour: ANSI.green },
          { label: 'SUSPICIOUS', value: d.suspicious, colour: ANSI.red },
        ],
        total: d.rows,
        colour: ANSI.green,
        notes: [],
      };
    case 'classes':
      return classModel(d, top);
    case 'suspicious':
      return suspiciousModel(d, top);
    case 'hosts':
      return hostsModel(d, top);
  }
}

/**
 * The y range of the score chart: the plotted values and the threshold, widened to multiples of 0.05 and
 * at least 0.1 tall, inside 0..1. A fixed 0..1 axis would squeeze isolation-forest scores (mostly
 * 0.4..0.75) into three rows.
 */
export function scoreRange(bins: ArrayLike<number>, threshold: number | null): { min: number; max: number } {
  let lo = threshold ?? Number.POSITIVE_INFINITY;
  let hi = threshold ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i < bins.length; i++) {
    const v = bins[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return { min: 0, max: 1 };
  // 1e-9: 0.5 * 20 must floor to 10, not to 9 through rounding error
  let min = Math.max(0, Math.floor(lo * 20 + 1e-9) / 20);
  let max = Math.min(1, Math.ceil(hi * 20 - 1e-9) / 20);
  if (max - min < 0.1 - 1e-9) {
    min = Math.min(0.9, Math.max(0, Math.floor(((lo + hi) / 2 - 0.05) * 20 + 1e-9) / 20));
    max = min + 0.1;
  }
  return { min: Math.round(min * 1000) / 1000, max: Math.round(max * 1000) / 1000 };
}

export function scoreModel(d: DetectionSummary): LinesModel {
  const notes =
    d.axis === 'row'
      ? ['The file has no time column: the x axis is the row number.']
      : Number.isFinite(d.firstTimeS)
        ? [`${utcDateTime(d.firstTimeS)} to ${utcClock(d.lastTimeS)}.`]
        : ['No rows with a time.'];
  notes.push(
    d.threshold === null
      ? 'No threshold line: the verdicts come from the predicted class, not from one cut of the score.'
      : `╌╌ threshold ${formatScore(d.threshold)} (${d.thresholdOrigin === 'model' ? "the model's" : 'between the highest NORMAL and the lowest SUSPICIOUS score'}); above it: SUSPICIOUS.`,
  );
  return {
    kind: 'lines',
    title: 'Anomaly score over time',
    notes,
    columnNote: (r) => `Resolution: ${r}; each value is the highest score in its column (blank: none).`,
    axis: d.axis,
    lastX: d.lastTimeS,
    panels: [
      {
        title: '',
        bins: d.bins.values(DetectionChannel.maxScore),
        binWidth: d.bins.binWidth,
        start: d.bins.start,
        fold: 'max',
        ...scoreRange(d.bins.values(DetectionChannel.maxScore), d.threshold),
        markers: d.threshold === null ? [] : [d.threshold],
        labels: 'score',
        height: SCORE_HEIGHT,
        colour: ANSI.red,
      },
    ],
  };
}

function classModel(d: DetectionSummary, top: number): ChartModel {
  const title = 'Predicted classes';
  if (!d.classes || d.classes.length === 0) return { kind: 'message', title, notes: ['No predicted_class column: only a random forest predicts classes.'] };
  const rows = d.classes.slice(0, top).map((c) => ({ label: c.name, value: c.rows }));
  const rest = d.classes.slice(top).reduce((n, c) => n + c.rows, 0);
  if (rest > 0) rows.push({ label: `${formatCount(d.classes.length - top)} other classes`, value: rest });
  return { kind: 'bars', title, rows, total: d.rows, colour: ANSI.magenta, notes: [] };
}

/** What one row of the file is, for titles: flows, packets, or rows (host windows, other tables). */
function rowNoun(d: DetectionSummary): string {
  return d.idName === 'flow_id' || d.idName === 'Flow ID' ? 'flows' : d.idName === 'packet_number' ? 'packets' : 'rows';
}

function suspiciousModel(d: DetectionSummary, top: number): ChartModel {
  const title = `Top suspicious ${rowNoun(d)} (highest score first)`;
  if (d.topSuspicious.length === 0) return { kind: 'message', title, notes: ['Nothing suspicious.'] };
  const head: string[] = ['#'];
  let align = 'r';
  const flexible: number[] = [];
  const optional: number[] = [];
  if (d.has.id) {
    optional.push(head.length);
    head.push(d.idName);
    align += 'r';
  }
  if (d.has.time) {
    optional.push(head.length);
    head.push('time');
    align += 'l';
  }
  if (d.has.addresses) {
    flexible.push(head.length, head.length + 1);
    head.push('source', 'destination');
    align += 'll';
  }
  head.push('score');
  align += 'r';
  if (d.has.classes) {
    // left out after the id and the time on a narrow terminal (the classes chart has them), so that the
    // endpoints and the score stay readable instead of every column being cut to three characters
    optional.push(head.length);
    flexible.push(head.length);
    head.push('class');
    align += 'l';
  }
  const rows = d.topSuspicious.slice(0, top).map((r, i) => {
    const cells: string[] = [String(i + 1)];
    if (d.has.id) cells.push(r.id);
    if (d.has.time) cells.push(utcClock(r.timeS));
    if (d.has.addresses) cells.push(endpoint(r.src, r.srcPort), endpoint(r.dst, r.dstPort));
    cells.push(formatScore(r.score));
    if (d.has.classes) cells.push(r.predictedClass);
    return cells;
  });
  const more = d.suspicious - rows.length;
  return { kind: 'table', title, head, rows, align, flexible, optional, notes: more > 0 ? [`And ${formatCount(more)} more suspicious ${rowNoun(d)}.`] : [] };
}

function hostsModel(d: DetectionSummary, top: number): ChartModel {
  const title = `Hosts in suspicious ${rowNoun(d)}`;
  if (!d.has.addresses) return { kind: 'message', title, notes: ['The file has no address columns.'] };
  if (d.hosts.length === 0) return { kind: 'message', title, notes: ['Nothing suspicious.'] };
  const rows = d.hosts
    .slice(0, top)
    .map((h, i) => [String(i + 1), h.host, formatCount(h.suspiciousRows), formatCount(h.asSource), formatCount(h.asDestination), formatScore(h.maxScore)]);
  const more = d.hosts.length - rows.length;
  return {
    kind: 'table',
    title,
    head: ['#', 'host', rowNoun(d), 'as source', 'as dest.', 'top score'],
    rows,
    align: 'rlrrrr',
    flexible: [1],
    optional: [3, 4],
    notes: more > 0 ? [`And ${formatCount(more)} more hosts.`] : [],
  };
}

/** "10.0.0.1:80", "[2001:db8::1]:443", or the bare address without a port (port 0 or -1: none). */
export function endpoint(address: string, port: number): string {
  if (address === '') return '';
  if (!(port > 0)) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
