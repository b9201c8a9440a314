// The charts of packets (packets.csv, a capture file), as models drawn by render-text.ts and render-svg.ts:
// traffic over time (bytes/s sent and received, packets/s), protocol and port distributions, top talkers
// and top destinations.

import type { BarsModel, ChartModel, LinePanel, LinesModel, TableModel } from './chart-model.js';
import { ANSI, formatShare, formatSpan, utcClock, utcDateTime } from './chart-text.js';
import { formatBytes, formatCount } from './format.js';
import { type AddressTotals, portLabel, TrafficChannel, type TrafficSummary } from './traffic-summary.js';

export const PACKET_CHART_NAMES = ['traffic', 'protocols', 'ports', 'talkers', 'destinations'] as const;
export type PacketChartName = (typeof PACKET_CHART_NAMES)[number];

const PANEL_HEIGHT = 6;

export function packetChart(name: PacketChartName, s: TrafficSummary, top = 10): ChartModel {
  switch (name) {
    case 'traffic':
      return trafficModel(s);
    case 'protocols':
      return protocolModel(s);
    case 'ports':
      return portModel(s, top);
    case 'talkers':
      return addressModel('Top talkers (by bytes sent)', 'source', s.talkers, s, top);
    case 'destinations':
      return addressModel('Top destinations (by bytes received)', 'destination', s.destinations, s, top);
  }
}

export function trafficModel(s: TrafficSummary): LinesModel {
  const span = s.lastTimeS - s.firstTimeS;
  const notes = Number.isFinite(span) ? [`${utcDateTime(s.firstTimeS)} to ${utcClock(s.lastTimeS)} (${formatSpan(span)}).`] : ['No packets with a time.'];
  if (s.local) {
    const who = s.local.description;
    const why =
      s.local.origin === 'busiest'
        ? `Local: ${who}, the address in the most packets; choose with --local CIDR.`
        : s.local.origin === 'host'
          ? `Local: this host's addresses (${who}); choose with --local CIDR.`
          : `Local: ${who} (--local).`;
    notes.push(`Sent: from a local address to a non-local one; received: the reverse. ${why}`);
  }
  const b = s.bins;
  const panel = (title: string, channel: number, colour: LinePanel['colour']): LinePanel => ({
    title,
    bins: b.values(channel),
    binWidth: b.binWidth,
    start: b.start,
    fold: 'rate',
    labels: 'compact',
    height: PANEL_HEIGHT,
    colour,
  });
  const panels: LinePanel[] = s.local
    ? [
        panel(`bytes/s sent (total ${formatBytes(s.sentBytes)})`, TrafficChannel.sentBytes, ANSI.cyan),
        panel(`bytes/s received (total ${formatBytes(s.receivedBytes)})`, TrafficChannel.receivedBytes, ANSI.green),
      ]
    : [panel(`bytes/s, all packets (total ${formatBytes(s.bytes)})`, TrafficChannel.bytes, ANSI.cyan)];
  panels.push(panel(`packets/s (total ${formatCount(s.packets)})`, TrafficChannel.packets, ANSI.magenta));
  return {
    kind: 'lines',
    title: 'Traffic over time',
    notes,
    columnNote: (r) => `Resolution: ${r}; values are mean rates.`,
    axis: 'time',
    lastX: s.lastTimeS,
    panels,
  };
}

export function protocolModel(s: TrafficSummary): BarsModel {
  const bytes = s.protocols.filter((p) => p.bytes > 0).map((p) => `${p.name} ${formatBytes(p.bytes)}`);
  return {
    kind: 'bars',
    title: 'Protocols (packets)',
    rows: s.protocols.map((p) => ({ label: p.name, value: p.packets })),
    total: s.packets,
    colour: ANSI.cyan,
    notes: bytes.length > 0 ? [`Bytes: ${bytes.join(', ')}.`] : [],
  };
}

export function portModel(s: TrafficSummary, top: number): ChartModel {
  const title = 'Top application ports (TCP/UDP/SCTP packets)';
  if (s.ports.length === 0) return { kind: 'message', title, notes: ['No TCP, UDP or SCTP packets.'] };
  const rows = s.ports.slice(0, top).map((p) => ({ label: portLabel(p.protocol, p.port), value: p.packets }));
  const rest = s.ports.slice(top).reduce((n, p) => n + p.packets, 0);
  if (rest > 0) rows.push({ label: `${formatCount(s.ports.length - top)} other ports`, value: rest });
  return {
    kind: 'bars',
    title,
    rows,
    total: s.ports.reduce((n, p) => n + p.packets, 0),
    colour: ANSI.green,
    notes: ["A packet's port is the lower of its two (servers listen on the low one); shares are of the packets with ports."],
  };
}

function addressModel(title: string, role: string, rows: readonly AddressTotals[], s: TrafficSummary, top: number): ChartModel {
  if (rows.length === 0) return { kind: 'message', title, notes: ['No packets with addresses.'] };
  const notes: string[] = [];
  const more = rows.length - top;
  if (more > 0) notes.push(`And ${formatCount(more)} more ${role} addresses.`);
  if (s.untrackedAddressPackets > 0) notes.push(`${formatCount(s.untrackedAddressPackets)} packets had addresses beyond the table's cap and are not listed.`);
  const table: TableModel = {
    kind: 'table',
    title,
    head: ['#', role, 'packets', 'bytes', 'share'],
    rows: rows.slice(0, top).map((r, i) => [String(i + 1), r.address, formatCount(r.packets), formatBytes(r.bytes), formatShare(s.bytes > 0 ? r.bytes / s.bytes : 0)]),
    align: 'rlrrr',
    flexible: [1],
    optional: [4],
    notes,
  };
  return table;
}
