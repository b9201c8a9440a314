// The single definition of dataset/packets.csv: column names, order, types, units and meaning.
// The CSV writer, the readers of later stages and the README table all come from this list; a test
// proves the writer's output matches it. Bump the version whenever a column changes.

export const PACKETS_SCHEMA_VERSION = 'packets/1';

export type ColumnType = 'int' | 'float' | 'string' | 'ip' | 'mac';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  unit?: string;
  /** identifiers (addresses, ports, timestamps) are kept for people but left out of training by default */
  identifier?: boolean;
  description: string;
}

/** An empty cell means "absent or not applicable" (no TCP header, no VLAN tag...), never zero. */
export const PACKET_COLUMNS: readonly ColumnSpec[] = [
  { name: 'packet_number', type: 'int', identifier: true, description: '1-based position of the frame in the input' },
  { name: 'time_epoch_s', type: 'float', unit: 's', identifier: true, description: 'capture timestamp, seconds since 1970 with 9 decimals (exact to the source resolution)' },
  { name: 'interface_id', type: 'int', description: 'pcapng interface id (0 for classic pcap and live capture)' },
  { name: 'wire_len_bytes', type: 'int', unit: 'bytes', description: 'frame length on the wire' },
  { name: 'cap_len_bytes', type: 'int', unit: 'bytes', description: 'bytes captured (less than wire_len_bytes when the snap length cut the frame)' },
  { name: 'link_type', type: 'int', description: 'LINKTYPE_* number: 1 Ethernet, 0 BSD loopback, 101/228/229 raw IP, 113 Linux SLL, 276 SLL2' },
  { name: 'eth_src', type: 'mac', identifier: true, description: 'Ethernet source MAC (empty without an Ethernet header)' },
  { name: 'eth_dst', type: 'mac', identifier: true, description: 'Ethernet destination MAC' },
  { name: 'ethertype', type: 'int', description: 'ethertype of the network layer after VLAN/MPLS/PPPoE (2048 IPv4, 34525 IPv6, 2054 ARP)' },
  { name: 'vlan_id', type: 'int', description: 'outermost 802.1Q/802.1ad VLAN id' },
  { name: 'vlan_inner_id', type: 'int', description: 'second VLAN id (QinQ)' },
  { name: 'mpls_label', type: 'int', description: 'outermost MPLS label' },
  { name: 'ip_version', type: 'int', description: '4 or 6 for the innermost IP header; empty without IP' },
  { name: 'src_addr', type: 'ip', identifier: true, description: 'innermost IP source (for ARP: the sender protocol address)' },
  { name: 'dst_addr', type: 'ip', identifier: true, description: 'innermost IP destination (for ARP: the target protocol address)' },
  { name: 'ip_proto', type: 'int', description: 'transport protocol number after IPv6 extension headers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, 132 SCTP)' },
  { name: 'protocol', type: 'string', description: 'tcp, udp, icmp, icmpv6, sctp, arp, gre, esp, ah, igmp, ip (other IP protocol) or other' },
  { name: 'ttl', type: 'int', description: 'IPv4 TTL or IPv6 hop limit of the innermost IP header' },
  { name: 'ip_len_bytes', type: 'int', unit: 'bytes', description: 'IP packet length declared by the innermost header (IPv6: 40 + payload length)' },
  { name: 'ip_df', type: 'int', description: "IPv4 don't-fragment flag (0/1)" },
  { name: 'ip_mf', type: 'int', description: 'more-fragments flag (0/1), IPv4 or IPv6 fragment header' },
  { name: 'frag_offset_bytes', type: 'int', unit: 'bytes', description: 'fragment offset in bytes' },
  { name: 'src_port', type: 'int', identifier: true, description: 'TCP/UDP/SCTP source port' },
  { name: 'dst_port', type: 'int', identifier: true, description: 'TCP/UDP/SCTP destination port' },
  { name: 'tcp_flags', type: 'int', description: 'TCP flag bits as a number: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32, ECE 64, CWR 128, NS 256' },
  { name: 'tcp_seq', type: 'int', description: 'raw TCP sequence number' },
  { name: 'tcp_ack', type: 'int', description: 'raw TCP acknowledgement number' },
  { name: 'tcp_window', type: 'int', unit: 'bytes', description: 'TCP window field (unscaled)' },
  { name: 'tcp_options_bytes', type: 'int', unit: 'bytes', description: 'TCP header length minus 20' },
  { name: 'payload_bytes', type: 'int', unit: 'bytes', description: 'transport payload length from the declared lengths (TCP/UDP/ICMP data)' },
  { name: 'icmp_type', type: 'int', description: 'ICMP or ICMPv6 type' },
  { name: 'icmp_code', type: 'int', description: 'ICMP or ICMPv6 code' },
  { name: 'arp_op', type: 'int', description: 'ARP opcode (1 request, 2 reply)' },
  { name: 'tunnel', type: 'string', description: 'gre, vxlan, teredo, 6in4 or ipip when the packet was tunnelled; the address columns then hold the inner packet' },
  { name: 'tunnel_src', type: 'ip', identifier: true, description: 'outermost IP source of a tunnelled packet' },
  { name: 'tunnel_dst', type: 'ip', identifier: true, description: 'outermost IP destination of a tunnelled packet' },
  { name: 'status', type: 'string', description: 'ok, truncated, malformed or unsupported; the fields before the problem are filled' },
  { name: 'status_detail', type: 'string', description: 'where decoding stopped and why, when status is not ok' },
];

export const PACKET_CSV_HEADER = PACKET_COLUMNS.map((c) => c.name).join(',');
