// The screen of `netml monitor`, drawn from a MonitorState into exactly the lines a terminal of the given
// size can show: a title, the current figures, upload and download scrolling charts (newest on the right),
// top destinations, and the most recent packets or judged flows. The CLI repaints it in place.

import { ANSI, compactNumber, formatScore, heading, truncateEnd, utcClock } from './chart-text.js';
import { endpoint } from './detection-charts.js';
import { fittedTable } from './fitted-table.js';
import { formatBytes, formatCount, formatSeconds } from './format.js';
import { axisLabels, lineChart, plotColumns } from './line-chart.js';
import type { IntervalFigures, MonitorState } from './monitor-state.js';

export interface DashboardOptions {
  width: number;
  height: number;
  colour: boolean;
  /** "eth0, filter 'tcp'" */
  source: string;
  /** model file when verdicts are given */
  model?: string;
  intervalS: number;
  nowS: number;
}

const LABEL_WIDTH = 6;

/** "upload 12.3 KB/s" with KB = 1000 bytes, as the original dashboard. */
export function kbPerS(bytesPerS: number): string {
  return `${(bytesPerS / 1000).toFixed(bytesPerS < 100_000 ? 1 : 0)} KB/s`;
}

/** One line of figures, also the line printed per interval when stdout is not a terminal. */
export function figuresLine(f: IntervalFigures | undefined, judged: boolean): string {
  if (!f) return 'waiting for the first interval...';
  const parts = [
    `upload ${kbPerS(f.uploadBytesPerS)}`,
    `download ${kbPerS(f.downloadBytesPerS)}`,
    `${formatCount(f.packetsPerS)} pkt/s`,
    `total ${formatCount(f.totalPackets)} packets, ${formatBytes(f.totalBytes)}`,
    `kernel drops ${formatCount(f.kernelDrops)}`,
  ];
  if (judged) parts.push(`flows judged ${formatCount(f.flowsJudged)}, SUSPICIOUS ${formatCount(f.flowsSuspicious)}`);
  return parts.join('  ');
}

export function renderDashboard(state: MonitorState, o: DashboardOptions): string[] {
  const width = Math.max(40, o.width);
  const judged = o.model !== undefined;
  const out: string[] = [];
  const uptime = formatSeconds(Math.max(0, o.nowS - state.startedS));
  out.push(truncateEnd(`netml monitor on ${o.source}${judged ? `, model ${o.model}` : ''}, ${utcClock(o.nowS)} UTC, up ${uptime}; Ctrl+C to stop`, width));
  const figures = figuresLine(state.last, false);
  out.push(...wrapParts(figures, width));
  if (judged) out.push(truncateEnd(`flows judged ${formatCount(state.flowsJudged)}: NORMAL ${formatCount(state.flowsJudged - state.flowsSuspicious)}, SUSPICIOUS ${formatCount(state.flowsSuspicious)}`, width));
  out.push(truncateEnd(`local: ${state.local.description}`, width));

  // rows left for the two charts once the tables have their share
  const tableRows = o.height >= 40 ? 5 : o.height >= 30 ? 4 : 3;
  const fixed = out.length + 2 * 3 /* chart title, axis, blank */ + (tableRows + 5) * 2;
  const chartHeight = Math.max(2, Math.min(8, Math.floor((o.height - fixed) / 2) - 1));
  const columns = plotColumns(width, LABEL_WIDTH);
  for (const [name, history, colour] of [
    ['upload', state.upload, ANSI.cyan],
    ['download', state.download, ANSI.green],
  ] as const) {
    out.push('', heading(`${name} KB/s, last ${formatSeconds(Math.min(history.length, columns) * o.intervalS)}`, width, o.colour));
    const shown = history.slice(-columns).map((v) => v / 1000);
    // newest on the right: the columns before the history began are gaps
    const values = new Float64Array(columns).fill(Number.NaN);
    values.set(shown, columns - shown.length);
    const chart = lineChart({ values, height: chartHeight, format: compactNumber, minLabelWidth: LABEL_WIDTH, colour, colourEnabled: o.colour });
    out.push(...chart.lines);
    out.push(axisLabels(chart.plotLeft, columns, `-${formatSeconds(columns * o.intervalS)}`, 'now'));
  }

  const top = state.topDestinations(tableRows);
  out.push('', heading('top destinations (bytes received since start)', width, o.colour));
  if (top.length === 0) out.push('none yet');
  else {
    const rows = top.map((d) => [d.address, formatCount(d.packets), formatBytes(d.bytes)]);
    out.push(...fittedTable(['destination', 'packets', 'bytes'], rows, { width, colour: o.colour, align: 'lrr', flexible: [0] }).split('\n'));
  }

  if (judged) {
    out.push('', heading('recent flows and their verdicts', width, o.colour));
    const flows = state.recentFlows.slice(-tableRows).reverse();
    if (flows.length === 0) out.push('no flow has ended yet (flows are judged when they end or go idle)');
    else {
      const hasClass = flows.some((f) => f.predictedClass !== '');
      const head = ['time', 'proto', 'source', 'destination', 'packets', 'score', 'verdict'];
      if (hasClass) head.push('class');
      const rows = flows.map((f) => {
        // plain text: the table measures cells by their characters
        const verdict = f.suspicious ? 'SUSPICIOUS' : 'NORMAL';
        const cells = [utcClock(f.timeS), f.protocol, endpoint(f.src, f.srcPort), endpoint(f.dst, f.dstPort), formatCount(f.packets), formatScore(f.score), verdict];
        if (hasClass) cells.push(f.predictedClass);
        return cells;
      });
      out.push(...fittedTable(head, rows, { width, colour: o.colour, align: hasClass ? 'llllrrll' : 'llllrrl', flexible: [2, 3], optional: [4, 0] }).split('\n'));
    }
  } else {
    out.push('', heading('recent packets', width, o.colour));
    const packets = state.recentPackets.slice(-tableRows).reverse();
    if (packets.length === 0) out.push('none yet');
    else {
      const rows = packets.map((p) => [utcClock(p.timeS), p.protocol, endpoint(p.src, p.srcPort), endpoint(p.dst, p.dstPort), formatCount(p.bytes)]);
      out.push(...fittedTable(['time', 'proto', 'source', 'destination', 'bytes'], rows, { width, colour: o.colour, align: 'llllr', flexible: [2, 3], optional: [0] }).split('\n'));
    }
  }
  return out.slice(0, Math.max(1, o.height - 1));
}

/** Splits "a  b  c" at its double spaces into lines of at most `width`. */
function wrapParts(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split('  ')) {
    if (line === '') line = part;
    else if (line.length + 2 + part.length <= width) line += `  ${part}`;
    else {
      lines.push(truncateEnd(line, width));
      line = part;
    }
  }
  if (line !== '') lines.push(truncateEnd(line, width));
  return lines;
}
