// The single definition of the host feature table (`netml extract --level host`): column names, order,
// types, units and meaning. One row per (source address, window size, window start): what one host sent
// (and which answers it got) in one aligned window of 1, 10 or 60 seconds. src/features/host-windows.ts
// fills the columns in this order; a test proves the header equals this list. Bump the version whenever a
// column changes.
//
// No cell is empty and no number is NaN: a share whose denominator is 0 (syn_share of a host that sent no
// TCP) is 0, as is failed_conn_share without connection attempts. Both are stated per column.

import type { ColumnSpec } from './packet-columns.js';

export const HOSTS_SCHEMA_VERSION = 'hosts/1';

/** Window sizes by default, seconds; `--windows` picks others. */
export const DEFAULT_HOST_WINDOWS_S: readonly number[] = [1, 10, 60];

/** Distinct counts are exact up to this many values, HyperLogLog estimates above (distinct-counter.ts). */
export const DISTINCT_EXACT_LIMIT = 32;

const ESTIMATE = `exact up to ${DISTINCT_EXACT_LIMIT}, above that a HyperLogLog estimate (standard error 9.2%)`;

export const HOST_COLUMNS: readonly ColumnSpec[] = [
  { name: 'src_addr', type: 'ip', identifier: true, description: 'the host: source address of the packets counted (innermost IP header)' },
  { name: 'window_s', type: 'int', unit: 's', description: 'window size: 1, 10 or 60 by default (--windows)' },
  {
    name: 'window_start_s',
    type: 'float',
    unit: 's',
    identifier: true,
    description: 'start of the window, seconds since 1970; windows are aligned to multiples of window_s, so [start, start + window_s)',
  },
  { name: 'packets', type: 'int', description: 'IP packets the host sent in the window' },
  { name: 'bytes_wire', type: 'int', unit: 'bytes', description: 'frame bytes on the wire of those packets' },
  { name: 'packets_per_s', type: 'float', unit: '1/s', description: 'packets / window_s' },
  { name: 'bytes_wire_per_s', type: 'float', unit: 'bytes/s', description: 'bytes_wire / window_s' },
  { name: 'pkt_bytes_wire_mean', type: 'float', unit: 'bytes', description: 'bytes_wire / packets; 0 when the host sent nothing in the window' },
  { name: 'distinct_dst_addrs', type: 'int', description: `distinct destination addresses the host sent to: ${ESTIMATE}` },
  { name: 'distinct_dst_ports', type: 'int', description: `distinct TCP/UDP/SCTP destination port numbers the host sent to: ${ESTIMATE}` },
  { name: 'tcp_packets', type: 'int', description: 'TCP packets sent' },
  { name: 'udp_packets', type: 'int', description: 'UDP packets sent' },
  { name: 'icmp_packets', type: 'int', description: 'ICMP and ICMPv6 packets sent' },
  { name: 'syn_packets', type: 'int', description: 'TCP packets sent with SYN and without ACK: connection attempts (retransmitted SYNs included)' },
  { name: 'synack_packets', type: 'int', description: 'TCP packets sent with SYN and ACK: connections accepted' },
  { name: 'rst_packets', type: 'int', description: 'TCP packets sent with RST' },
  { name: 'fin_packets', type: 'int', description: 'TCP packets sent with FIN' },
  { name: 'syn_share', type: 'float', description: 'syn_packets / tcp_packets; 0 when the host sent no TCP' },
  { name: 'synack_share', type: 'float', description: 'synack_packets / tcp_packets; 0 when the host sent no TCP' },
  { name: 'rst_share', type: 'float', description: 'rst_packets / tcp_packets; 0 when the host sent no TCP' },
  { name: 'synack_received', type: 'int', description: 'TCP SYN-ACKs sent to the host in the window: its connection attempts that were accepted' },
  { name: 'rst_received', type: 'int', description: 'TCP RSTs sent to the host in the window (a closed port answers a SYN with RST)' },
  {
    name: 'icmp_unreachable_received',
    type: 'int',
    description: 'ICMP destination unreachable (type 3) and ICMPv6 unreachable (type 1) messages sent to the host (a closed UDP port answers so)',
  },
  { name: 'conn_attempts_per_s', type: 'float', unit: '1/s', description: 'syn_packets / window_s' },
  {
    name: 'failed_conn_share',
    type: 'float',
    description:
      'share of the connection attempts not accepted, rejected or unanswered: (syn_packets - synack_received) / syn_packets, clamped to 0..1; 0 without attempts',
  },
  {
    name: 'evicted',
    type: 'int',
    identifier: true,
    description:
      '1 when the row was written before its window ended because the host table was full (--max-hosts); the rest of that window, if the host sent more, is another row',
  },
];

export const HOST_CSV_HEADER = HOST_COLUMNS.map((c) => c.name).join(',');
