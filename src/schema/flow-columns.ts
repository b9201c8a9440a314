// The single definition of features.csv at --level flow: column names, order, types, units and meaning.
// Each feature group in src/features writes exactly one of the blocks below, in this order, and
// FLOW_COLUMNS is their concatenation, so the header and the values come from the same list; a test
// proves every row has as many cells as this list. Bump the version whenever a column changes.
//
// No cell is ever empty and no number is NaN: a statistic with nothing to measure (the std of one value,
// the inter-arrival time of a direction with one packet, a rate over a zero duration) is written as 0;
// a field taken from a packet that does not exist (the TCP window of a direction that sent no TCP
// packet) is -1. Both are stated per column.

import type { ColumnSpec } from './packet-columns.js';

export const FLOWS_SCHEMA_VERSION = 'flows/1';

/** Gaps longer than this split a flow into active periods (CICFlowMeter's activity timeout, 5 s). */
export const ACTIVITY_GAP_S = 5;

export const FLOW_IDENTITY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'flow_id', type: 'int', identifier: true, description: '1-based number of the flow record, in the order records were opened' },
  { name: 'start_time_s', type: 'float', unit: 's', identifier: true, description: "first packet's capture time, seconds since 1970 with 9 decimals" },
  { name: 'end_time_s', type: 'float', unit: 's', identifier: true, description: "last packet's capture time, seconds since 1970 with 9 decimals" },
  { name: 'src_addr', type: 'ip', identifier: true, description: "client address: the SYN's sender; the receiver of a SYN-ACK when that came first; else the first packet's sender" },
  { name: 'dst_addr', type: 'ip', identifier: true, description: 'server address (the other endpoint)' },
  {
    name: 'src_port',
    type: 'int',
    identifier: true,
    description: 'client TCP/UDP/SCTP port; for ICMP echo, timestamp, information and address-mask messages the message identifier; 0 for other protocols',
  },
  { name: 'dst_port', type: 'int', identifier: true, description: 'server TCP/UDP/SCTP port; the ICMP identifier as for src_port; 0 for other protocols' },
  { name: 'vlan_id', type: 'int', identifier: true, description: 'outermost 802.1Q VLAN id, part of the flow key; 0 when untagged' },
  { name: 'ip_version', type: 'int', description: '4 or 6 (innermost IP header of tunnelled packets)' },
  { name: 'ip_proto', type: 'int', description: 'transport protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP...)' },
  { name: 'protocol', type: 'string', description: 'tcp, udp, icmp, icmpv6, sctp, gre, esp, ah, igmp or ip (any other protocol)' },
  { name: 'icmp_type', type: 'int', description: "ICMP/ICMPv6 type of the record's first packet; -1 when the flow is not ICMP" },
  { name: 'icmp_code', type: 'int', description: "ICMP/ICMPv6 code of the record's first packet; -1 when the flow is not ICMP" },
  { name: 'client_from', type: 'string', description: 'how the client side was chosen: syn, syn-ack or first-packet' },
];

/** The per-direction columns, written once for fwd (client to server) and once for bwd. */
function perDirection(dir: 'fwd' | 'bwd'): ColumnSpec[] {
  const who = dir === 'fwd' ? 'client to server' : 'server to client';
  const flag = (name: string) => ({ name: `${dir}_${name.toLowerCase()}_count`, type: 'int' as const, description: `${who} TCP packets with ${name} set` });
  return [
    { name: `${dir}_packets`, type: 'int', description: `${who} packets` },
    { name: `${dir}_bytes_wire`, type: 'int', unit: 'bytes', description: `${who} frame bytes on the wire (captured or not)` },
    { name: `${dir}_payload_bytes`, type: 'int', unit: 'bytes', description: `${who} transport payload bytes from the declared lengths (TCP/UDP/SCTP/ICMP data), retransmissions included` },
    {
      name: `${dir}_header_bytes`,
      type: 'int',
      unit: 'bytes',
      description: `${who} IP and transport header bytes (IP length minus payload; for protocols not decoded past IP, the whole IP packet)`,
    },
    { name: `${dir}_pkt_bytes_wire_min`, type: 'int', unit: 'bytes', description: `smallest ${who} frame on the wire; 0 when the direction sent nothing` },
    { name: `${dir}_pkt_bytes_wire_max`, type: 'int', unit: 'bytes', description: `largest ${who} frame on the wire; 0 when the direction sent nothing` },
    { name: `${dir}_pkt_bytes_wire_mean`, type: 'float', unit: 'bytes', description: `mean ${who} frame size on the wire; 0 when the direction sent nothing` },
    { name: `${dir}_pkt_bytes_wire_std`, type: 'float', unit: 'bytes', description: `sample standard deviation (n-1) of the ${who} frame sizes; 0 below 2 packets` },
    { name: `${dir}_iat_min_s`, type: 'float', unit: 's', description: `shortest time between two ${who} packets; 0 below 2 packets` },
    { name: `${dir}_iat_max_s`, type: 'float', unit: 's', description: `longest time between two ${who} packets; 0 below 2 packets` },
    { name: `${dir}_iat_mean_s`, type: 'float', unit: 's', description: `mean time between two ${who} packets; 0 below 2 packets` },
    { name: `${dir}_iat_std_s`, type: 'float', unit: 's', description: `sample standard deviation (n-1) of the ${who} inter-arrival times; 0 below 3 packets` },
    flag('FIN'),
    flag('SYN'),
    flag('RST'),
    flag('PSH'),
    flag('ACK'),
    flag('URG'),
    flag('ECE'),
    flag('CWR'),
    { name: `${dir}_init_window_bytes`, type: 'int', unit: 'bytes', description: `TCP window field (unscaled) of the first ${who} TCP packet; -1 when there was none` },
    { name: `${dir}_first_ttl`, type: 'int', description: `IPv4 TTL or IPv6 hop limit of the first ${who} packet; -1 when there was none` },
  ];
}

export const FLOW_DIRECTION_COLUMNS: readonly ColumnSpec[] = [
  ...perDirection('fwd'),
  ...perDirection('bwd'),
  { name: 'duration_s', type: 'float', unit: 's', description: "last packet's time minus the first's; 0 for a single-packet flow" },
  { name: 'packets_per_s', type: 'float', unit: '1/s', description: 'packets in both directions divided by duration_s; 0 when the duration is 0' },
  { name: 'bytes_wire_per_s', type: 'float', unit: 'bytes/s', description: 'wire bytes in both directions divided by duration_s; 0 when the duration is 0' },
  { name: 'down_up_packet_ratio', type: 'float', description: 'bwd_packets / fwd_packets; 0 when the client sent nothing' },
];

export const FLOW_ACTIVITY_COLUMNS: readonly ColumnSpec[] = [
  { name: 'active_periods', type: 'int', description: `bursts of packets separated by gaps longer than ${ACTIVITY_GAP_S} s (at least 1)` },
  { name: 'active_min_s', type: 'float', unit: 's', description: 'shortest active period: first to last packet of a burst (0 for a one-packet burst)' },
  { name: 'active_max_s', type: 'float', unit: 's', description: 'longest active period' },
  { name: 'active_mean_s', type: 'float', unit: 's', description: 'mean active period' },
  { name: 'active_std_s', type: 'float', unit: 's', description: 'sample standard deviation (n-1) of the active periods; 0 below 2 periods' },
  { name: 'idle_min_s', type: 'float', unit: 's', description: `shortest gap longer than ${ACTIVITY_GAP_S} s between two packets; 0 when there was none` },
  { name: 'idle_max_s', type: 'float', unit: 's', description: `longest gap longer than ${ACTIVITY_GAP_S} s; 0 when there was none` },
  { name: 'idle_mean_s', type: 'float', unit: 's', description: `mean gap longer than ${ACTIVITY_GAP_S} s; 0 when there was none` },
  { name: 'idle_std_s', type: 'float', unit: 's', description: 'sample standard deviation (n-1) of those gaps; 0 below 2 gaps' },
];

export const FLOW_TCP_STATE_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'fwd_retrans_packets',
    type: 'int',
    description: 'client TCP segments with payload whose sequence range had been seen already (retransmitted, duplicated or reordered)',
  },
  { name: 'bwd_retrans_packets', type: 'int', description: 'the same for server segments' },
  {
    name: 'conn_state',
    type: 'string',
    description: "Zeek's conn_state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH (UDP: SF, S0, SHR or OTH; other protocols OTH)",
  },
  {
    name: 'history',
    type: 'string',
    description: "Zeek's history letters (S h A D F R T W I Q ^; upper case from the client), at most 32; empty when nothing happened worth a letter",
  },
];

export const FLOW_OUTCOME_COLUMNS: readonly ColumnSpec[] = [
  {
    name: 'end_reason',
    type: 'string',
    description: 'idle, active, fin, rst, end-of-input or evicted (docs/extract.md says when each applies)',
  },
];

export const FLOW_COLUMNS: readonly ColumnSpec[] = [
  ...FLOW_IDENTITY_COLUMNS,
  ...FLOW_DIRECTION_COLUMNS,
  ...FLOW_ACTIVITY_COLUMNS,
  ...FLOW_TCP_STATE_COLUMNS,
  ...FLOW_OUTCOME_COLUMNS,
];

export const FLOW_CSV_HEADER = FLOW_COLUMNS.map((c) => c.name).join(',');

/** The label column appended by --labels (not part of the feature columns). */
/** the class of rows no --labels rule matched: ordinary traffic */
export const DEFAULT_LABEL = 'normal';
export const LABEL_COLUMN: ColumnSpec = { name: 'label', type: 'string', description: `class from the --labels rules; ${DEFAULT_LABEL} when no rule matched` };
