// The single definition of the per-packet feature table (`netml extract --level packet`): column names,
// order, types, units and meaning. One row per IP packet: what the original per-packet scripts used
// (protocol, length, time since the previous packet, ports, TCP flags, TTL, direction) plus the packet's
// place in its flow and short context windows on its source, so per-packet models are not blind.
// src/features/packet-features.ts fills the columns in this order; a test proves the header equals this
// list. Bump the version whenever a column changes.
//
// No cell is empty and no number is NaN: a field of a header the packet does not have (the TCP window of a
// UDP packet, the ports of an ICMP packet) is -1; the TCP flag columns are 0 for packets that are not TCP;
// a time since a previous packet that does not exist is 0.

import type { ColumnSpec } from './packet-columns.js';

export const PACKET_FEATURES_SCHEMA_VERSION = 'packet-features/1';

/** The short context windows on the packet's source (1 s and 10 s) are made of this many slots each. */
export const SOURCE_WINDOW_SLOTS = 10;

const flag = (name: string) => ({ name: `tcp_${name.toLowerCase()}`, type: 'int' as const, description: `1 when the TCP ${name} flag is set; 0 otherwise and for packets that are not TCP` });

export const PACKET_FEATURE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'packet_number', type: 'int', identifier: true, description: '1-based position of the frame in the input (non-IP frames count too, as in packets.csv)' },
  { name: 'time_s', type: 'float', unit: 's', identifier: true, description: 'capture time, seconds since 1970 with 9 decimals' },
  {
    name: 'flow_id',
    type: 'int',
    identifier: true,
    description: "the packet's flow record, numbered as flow_id of --level flow with the same inputs and timeouts (join the two tables on it)",
  },
  { name: 'src_addr', type: 'ip', identifier: true, description: "the packet's source address (innermost IP header)" },
  { name: 'dst_addr', type: 'ip', identifier: true, description: "the packet's destination address" },
  { name: 'src_port', type: 'int', identifier: true, description: 'TCP/UDP/SCTP source port; -1 for other protocols and non-first fragments' },
  { name: 'dst_port', type: 'int', identifier: true, description: 'TCP/UDP/SCTP destination port; -1 for other protocols and non-first fragments' },
  { name: 'ip_version', type: 'int', description: '4 or 6' },
  { name: 'ip_proto', type: 'int', description: 'transport protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP...)' },
  { name: 'protocol', type: 'string', description: 'tcp, udp, icmp, icmpv6, sctp, gre, esp, ah, igmp or ip (any other protocol)' },
  { name: 'wire_len_bytes', type: 'int', unit: 'bytes', description: 'frame length on the wire (captured or not)' },
  { name: 'ip_len_bytes', type: 'int', unit: 'bytes', description: 'IP packet length declared by the header (IPv6: 40 + payload length); -1 when the header was cut off' },
  { name: 'payload_bytes', type: 'int', unit: 'bytes', description: 'transport payload bytes from the declared lengths; -1 when not decoded (header cut off, protocol not decoded)' },
  { name: 'ttl', type: 'int', description: 'IPv4 TTL or IPv6 hop limit' },
  { name: 'tcp_flags', type: 'int', description: 'TCP flag bits as a number (FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128, NS 256); -1 when not TCP' },
  flag('SYN'),
  flag('ACK'),
  flag('FIN'),
  flag('RST'),
  flag('PSH'),
  flag('URG'),
  { name: 'tcp_window_bytes', type: 'int', unit: 'bytes', description: 'TCP window field (unscaled); -1 when not TCP' },
  { name: 'icmp_type', type: 'int', description: 'ICMP or ICMPv6 type; -1 when not ICMP' },
  { name: 'icmp_code', type: 'int', description: 'ICMP or ICMPv6 code; -1 when not ICMP' },
  { name: 'iat_s', type: 'float', unit: 's', description: 'time since the previous IP packet of the input; 0 for the first, and when time went backwards' },
  { name: 'src_iat_s', type: 'float', unit: 's', description: 'time since the previous packet from the same source address; 0 for its first packet (and after the source was evicted from a full table)' },
  { name: 'flow_iat_s', type: 'float', unit: 's', description: "time since the previous packet of the packet's flow (either direction); 0 for a flow's first packet" },
  {
    name: 'from_client',
    type: 'int',
    description: "direction: 1 when the packet was sent by its flow's client (the SYN's sender, else the first packet's sender), 0 from the server; as known when the packet arrived",
  },
  { name: 'flow_packet_index', type: 'int', description: "1-based position of the packet in its flow record (both directions)" },
  { name: 'flow_age_s', type: 'float', unit: 's', description: "time since the flow record's first packet" },
  {
    name: 'src_packets_1s',
    type: 'int',
    description: 'packets from the same source in the last second, this one included: the current 100 ms slot and the 9 before it (a span of 0.9 to 1 s)',
  },
  { name: 'src_bytes_1s', type: 'int', unit: 'bytes', description: 'wire bytes of those packets' },
  {
    name: 'src_packets_10s',
    type: 'int',
    description: 'packets from the same source in the last 10 seconds, this one included: the current 1 s slot and the 9 before it (a span of 9 to 10 s)',
  },
  { name: 'src_bytes_10s', type: 'int', unit: 'bytes', description: 'wire bytes of those packets' },
];

export const PACKET_FEATURES_CSV_HEADER = PACKET_FEATURE_COLUMNS.map((c) => c.name).join(',');
