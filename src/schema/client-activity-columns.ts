// The single definition of the client-activity feature set: what each flow's client did around the flow's
// start, in the aligned 1 s and 10 s windows that hold it (the `--level host` view of that address, summed
// from the flow rows themselves). `netml train --features client-activity` derives these columns from a
// flows/1 table (src/features/client-activity.ts) and `netml detect` derives them again for the model, so
// they never appear in features.csv. Why they exist: an Isolation Forest trained on normal flows cannot tell
// a scan's or a flood's single-SYN flows from the many short normal flows (ROC AUC ~0.87 on the lab), but a
// client that opens thousands of connections a second, to hundreds of ports, most of them unanswered, is
// extreme on many of these columns at once, which is what isolation needs (ROC AUC 1.0 on the lab). A brute
// force is not: its client's counts are only a little beyond a busy normal client's, where the forest puts the
// most extreme normal flows, so it scored at the threshold. busiest_service_flows (version 2) adds the corner
// it sits in: dozens of connections to one service, where a busy normal client spreads over several.
// Bump the version whenever a column or its meaning changes.

import type { ColumnSpec } from './packet-columns.js';

export const CLIENT_ACTIVITY_VERSION = 'client-activity/2';

/** Window sizes, seconds: each flow gets every column once per window. */
export const CLIENT_ACTIVITY_WINDOWS_S: readonly number[] = [1, 10];

/** The flows/1 numeric columns the set is computed from (with src_addr and dst_addr, kept as identifiers). */
export const CLIENT_ACTIVITY_INPUTS = [
  'start_time_s',
  'ip_proto',
  'dst_port',
  'fwd_packets',
  'fwd_bytes_wire',
  'fwd_syn_count',
  'fwd_rst_count',
  'fwd_fin_count',
  'bwd_syn_count',
  'bwd_rst_count',
] as const;

/** One window's columns, in order; `{w}` is the window size in seconds. */
const PER_WINDOW: readonly { name: string; type: 'int' | 'float'; unit?: string; description: string }[] = [
  { name: 'flows', type: 'int', description: 'flows the client started in the window (this one included)' },
  { name: 'packets', type: 'int', description: 'packets the client sent in those flows' },
  { name: 'bytes_wire', type: 'int', unit: 'bytes', description: 'frame bytes the client sent in those flows' },
  { name: 'pkt_bytes_wire_mean', type: 'float', unit: 'bytes', description: 'bytes_wire / packets' },
  { name: 'distinct_servers', type: 'int', description: 'distinct server addresses of those flows' },
  { name: 'distinct_services', type: 'int', description: 'distinct (IP protocol, server port) pairs of those flows' },
  { name: 'busiest_service_flows', type: 'int', description: 'flows to the pair most of them went to (a brute force or a flood repeats one service)' },
  { name: 'tcp_packets', type: 'int', description: 'packets sent in TCP flows' },
  { name: 'udp_packets', type: 'int', description: 'packets sent in UDP flows' },
  { name: 'other_packets', type: 'int', description: 'packets sent in flows of other protocols (ICMP, ...)' },
  { name: 'syn_packets', type: 'int', description: 'SYNs the client sent' },
  { name: 'rst_packets', type: 'int', description: 'RSTs the client sent' },
  { name: 'fin_packets', type: 'int', description: 'FINs the client sent' },
  { name: 'syn_share', type: 'float', description: 'syn_packets / packets' },
  { name: 'rst_share', type: 'float', description: 'rst_packets / packets' },
  { name: 'synack_received', type: 'int', description: 'SYN-ACKs the servers sent back' },
  { name: 'rst_received', type: 'int', description: 'RSTs the servers sent back' },
  { name: 'conn_attempts_per_s', type: 'float', unit: '1/s', description: 'flows in which the client sent a SYN, per second of window' },
  { name: 'failed_conn_share', type: 'float', description: 'of those, the share never answered with a SYN-ACK (0 without attempts)' },
];

export const CLIENT_ACTIVITY_COLUMNS: readonly ColumnSpec[] = CLIENT_ACTIVITY_WINDOWS_S.flatMap((w) =>
  PER_WINDOW.map((c) => ({ name: `client_${w}s_${c.name}`, type: c.type, unit: c.unit, description: `${c.description}, ${w} s window` })),
);

/** Columns per window (the module that fills them checks it writes exactly this many). */
export const CLIENT_ACTIVITY_PER_WINDOW = PER_WINDOW.length;

/** Where a per-window column (its name without the `client_{w}s_` prefix) sits within its window's columns. */
export function clientActivityIndex(name: string): number {
  const i = PER_WINDOW.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`no client-activity column ${name}`);
  return i;
}
