// One valid packet per protocol, tunnel and link type, with what the decoder must report for it. The
// per-protocol tests use them, and the property tests cut and damage every one of them.

import { LinkType } from '../../src/decode/link-types.js';
import {
  ah,
  arp,
  ciscoHdlc,
  ETH_ARP,
  ETH_ERSPAN2,
  ETH_IPV4,
  ETH_IPV6,
  ETH_MPLS,
  ETH_PPPOE_SESSION,
  ETH_QINQ,
  ETH_TEB,
  ETH_VLAN,
  erspan2,
  esp,
  ethernet,
  filler,
  gre,
  greV1,
  icmp,
  ipv4,
  ipv6,
  ipv6Extension,
  ipv6Fragment,
  linuxSll,
  linuxSll2,
  mpls,
  nflog,
  nullLoopback,
  ppi,
  ppp,
  pppoeSession,
  PROTO_AH,
  PROTO_DEST_OPTS,
  PROTO_ESP,
  PROTO_FRAGMENT,
  PROTO_GRE,
  PROTO_HOP_BY_HOP,
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_IPIP,
  PROTO_IPV6,
  PROTO_ROUTING,
  PROTO_SCTP,
  PROTO_TCP,
  PROTO_UDP,
  sctp,
  sctpDataChunk,
  tcp,
  TCP_ACK,
  TCP_PSH,
  TCP_SYN,
  TCP_SYN_OPTIONS,
  teredo,
  udp,
  vlan,
  vxlan,
} from '../helpers/packet-builder.js';
import { expected, v6, type DecodedView } from './decoded-view.js';

export interface Fixture {
  /** the tcpdump-style one-line description */
  line: string;
  linkType: number;
  bytes: Uint8Array;
  /** bytes of headers; a cut at or after this only shortens the payload */
  headersLen: number;
  want: DecodedView;
  /** bytes from which a cut is visible: Teredo is only recognised once the inner IPv6 version nibble is there */
  detectableFrom?: number;
}

export const MAC_A = '00:11:22:33:44:55';
export const MAC_B = '66:77:88:99:aa:bb';
const ETH_FIELDS = { ethDst: MAC_A, ethSrc: MAC_B } as const;

const A4 = '192.0.2.1';
const B4 = '198.51.100.2';
const A6 = '2001:db8::1';
const B6 = '2001:db8:0:1::2';

/** IPv4 TCP with timestamps etc.: 20 + 40 + 12 */
function tcpSynIpv4(): Uint8Array {
  return ipv4(
    { src: A4, dst: B4, proto: PROTO_TCP, ttl: 64, df: true },
    tcp({ sport: 43210, dport: 80, seq: 3_000_000_000, ack: 0, flags: TCP_SYN, window: 64240, options: TCP_SYN_OPTIONS }),
  );
}
const TCP_SYN_FIELDS = {
  ipVersion: 4,
  src: A4,
  dst: B4,
  ipProto: PROTO_TCP,
  protocol: 'tcp',
  ttl: 64,
  ipLen: 60,
  df: 1,
  mf: 0,
  fragOffset: 0,
  srcPort: 43210,
  dstPort: 80,
  tcpFlags: TCP_SYN,
  tcpSeq: 3_000_000_000,
  tcpAck: 0,
  tcpWindow: 64240,
  tcpOptionsLen: 20,
  payloadLen: 0,
} as const;

/** IPv4 TCP data, 10 payload bytes */
function tcpDataIpv4(src = A4, dst = B4): Uint8Array {
  return ipv4({ src, dst, proto: PROTO_TCP, ttl: 57 }, tcp({ sport: 443, dport: 51000, seq: 1, ack: 2, flags: TCP_ACK | TCP_PSH, window: 501 }, filler(10)));
}
function tcpDataFields(src = A4, dst = B4) {
  return {
    ipVersion: 4,
    src,
    dst,
    ipProto: PROTO_TCP,
    protocol: 'tcp',
    ttl: 57,
    ipLen: 50,
    df: 0,
    mf: 0,
    fragOffset: 0,
    srcPort: 443,
    dstPort: 51000,
    tcpFlags: TCP_ACK | TCP_PSH,
    tcpSeq: 1,
    tcpAck: 2,
    tcpWindow: 501,
    tcpOptionsLen: 0,
    payloadLen: 10,
  } as const;
}

/** IPv6 UDP DNS-sized query, 12 payload bytes */
function udpIpv6(src = A6, dst = B6): Uint8Array {
  return ipv6({ src, dst, next: PROTO_UDP, hopLimit: 255 }, udp({ sport: 5353, dport: 53 }, filler(12)));
}
function udpIpv6Fields(src = A6, dst = B6) {
  return {
    ipVersion: 6,
    src: v6(src),
    dst: v6(dst),
    ipProto: PROTO_UDP,
    protocol: 'udp',
    ttl: 255,
    ipLen: 60,
    srcPort: 5353,
    dstPort: 53,
    payloadLen: 12,
  } as const;
}

function icmpEchoIpv4(src: string, dst: string): Uint8Array {
  return ipv4({ src, dst, proto: PROTO_ICMP, ttl: 63 }, icmp({ type: 8, code: 0 }, filler(16)));
}
function icmpEchoFields(src: string, dst: string) {
  return {
    ipVersion: 4,
    src,
    dst,
    ipProto: PROTO_ICMP,
    protocol: 'icmp',
    ttl: 63,
    ipLen: 44,
    df: 0,
    mf: 0,
    fragOffset: 0,
    icmpType: 8,
    icmpCode: 0,
    payloadLen: 16,
  } as const;
}

export const FIXTURES: Fixture[] = [
  {
    line: 'IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S], seq 3000000000, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV4 }, tcpSynIpv4()),
    headersLen: 14 + 60,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'IP6 2001:db8::1.5353 > 2001:db8:0:1::2.53: UDP, length 12',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV6 }, udpIpv6()),
    headersLen: 14 + 48,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV6, ...udpIpv6Fields() }),
  },
  {
    line: 'IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 24',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV4 }, icmpEchoIpv4('10.0.0.1', '10.0.0.2')),
    headersLen: 14 + 28,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...icmpEchoFields('10.0.0.1', '10.0.0.2') }),
  },
  {
    line: 'IP6 fe80::1 > ff02::1: ICMP6, router advertisement, length 16',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV6 }, ipv6({ src: 'fe80::1', dst: 'ff02::1', next: PROTO_ICMPV6, hopLimit: 255 }, icmp({ type: 134 }, filler(8)))),
    headersLen: 14 + 48,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV6,
      ipVersion: 6,
      src: v6('fe80::1'),
      dst: v6('ff02::1'),
      ipProto: PROTO_ICMPV6,
      protocol: 'icmpv6',
      ttl: 255,
      ipLen: 56,
      icmpType: 134,
      icmpCode: 0,
      payloadLen: 8,
    }),
  },
  {
    line: 'ARP, Request who-has 192.168.0.2 tell 192.168.0.1, length 28',
    linkType: LinkType.ethernet,
    bytes: ethernet({ dst: 'ff:ff:ff:ff:ff:ff', type: ETH_ARP }, arp({ op: 1, senderIp: '192.168.0.1', targetIp: '192.168.0.2' })),
    headersLen: 14 + 28,
    want: expected({ ethDst: 'ff:ff:ff:ff:ff:ff', ethSrc: MAC_B, etherType: ETH_ARP, arpOp: 1, src: '192.168.0.1', dst: '192.168.0.2', protocol: 'arp' }),
  },
  {
    line: 'IP 10.1.1.1.5000 > 10.1.1.2.36412: sctp (1) [DATA] (B)(E) [TSN: 1] [SID: 0] [SSEQ 0] [PPID 0x0]',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV4 }, ipv4({ src: '10.1.1.1', dst: '10.1.1.2', proto: PROTO_SCTP }, sctp({ sport: 5000, dport: 36412 }, sctpDataChunk(filler(8))))),
    headersLen: 14 + 32,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV4,
      ipVersion: 4,
      src: '10.1.1.1',
      dst: '10.1.1.2',
      ipProto: PROTO_SCTP,
      protocol: 'sctp',
      ttl: 64,
      ipLen: 56,
      df: 0,
      mf: 0,
      fragOffset: 0,
      srcPort: 5000,
      dstPort: 36412,
      payloadLen: 24,
    }),
  },
  {
    line: 'vlan 200, p 0, ethertype 802.1Q, vlan 2001, p 0, ethertype IPv4, IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_QINQ }, vlan({ id: 200, type: ETH_VLAN }, vlan({ id: 2001, type: ETH_IPV4 }, tcpDataIpv4()))),
    headersLen: 14 + 8 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, vlanId: 200, vlanInnerId: 2001, vlanDepth: 2, ...tcpDataFields() }),
  },
  {
    line: 'MPLS (label 16000, exp 0, ttl 64) (label 299, exp 0, [S], ttl 64) IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_MPLS }, mpls({ label: 16000, bottom: false }, mpls({ label: 299, bottom: true }, tcpDataIpv4()))),
    headersLen: 14 + 8 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, mplsLabel: 16000, ...tcpDataFields() }),
  },
  {
    line: 'PPPoE  [ses 0x1] IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_PPPOE_SESSION }, pppoeSession({ pppProtocol: 0x0021 }, tcpDataIpv4())),
    headersLen: 14 + 8 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...tcpDataFields() }),
  },
  {
    line: 'IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S] (1 fragment of 2, offset 0) — first IPv4 fragment keeps its TCP header',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: A4, dst: B4, proto: PROTO_TCP, mf: true, id: 7 }, tcp({ sport: 1, dport: 2, flags: TCP_ACK, seq: 5, ack: 6, window: 7 }, filler(24))),
    ),
    headersLen: 14 + 40,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV4,
      ipVersion: 4,
      src: A4,
      dst: B4,
      ipProto: PROTO_TCP,
      protocol: 'tcp',
      ttl: 64,
      ipLen: 64,
      df: 0,
      mf: 1,
      fragOffset: 0,
      srcPort: 1,
      dstPort: 2,
      tcpFlags: TCP_ACK,
      tcpSeq: 5,
      tcpAck: 6,
      tcpWindow: 7,
      tcpOptionsLen: 0,
      payloadLen: 24,
    }),
  },
  {
    line: 'IP 192.0.2.1 > 198.51.100.2: udp (frag 7:24@1480) — non-first fragment, no transport header',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV4 }, ipv4({ src: A4, dst: B4, proto: PROTO_UDP, fragOffset: 1480, id: 7 }, filler(24))),
    headersLen: 14 + 20,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV4,
      ipVersion: 4,
      src: A4,
      dst: B4,
      ipProto: PROTO_UDP,
      protocol: 'udp',
      ttl: 64,
      ipLen: 44,
      df: 0,
      mf: 0,
      fragOffset: 1480,
    }),
  },
  {
    line: 'IP6 2001:db8::1 > 2001:db8:0:1::2: HBH DSTOPT frag (0|16) 5353 > 53: UDP, length 8',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV6 },
      ipv6(
        { src: A6, dst: B6, next: PROTO_HOP_BY_HOP, hopLimit: 64 },
        ipv6Extension(
          { next: PROTO_DEST_OPTS },
          ipv6Extension({ next: PROTO_FRAGMENT, body: [0x1e, 4, 1, 2, 3, 4] }, ipv6Fragment({ next: PROTO_UDP, offset: 0, more: true }, udp({ sport: 5353, dport: 53, length: 100 }, filler(8)))),
        ),
      ),
    ),
    headersLen: 14 + 40 + 8 + 8 + 8 + 8,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV6,
      ipVersion: 6,
      src: v6(A6),
      dst: v6(B6),
      ipProto: PROTO_UDP,
      protocol: 'udp',
      ttl: 64,
      ipLen: 40 + 40,
      mf: 1,
      fragOffset: 0,
      srcPort: 5353,
      dstPort: 53,
      payloadLen: 92,
    }),
  },
  {
    line: 'IP6 2001:db8::1 > 2001:db8:0:1::2: srcrt (len=2, type=0, segleft=1) AH(spi=0x00001000,seq=0x1): 5353 > 53: UDP, length 12',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV6 },
      ipv6({ src: A6, dst: B6, next: PROTO_ROUTING, hopLimit: 64 }, ipv6Extension({ next: PROTO_AH, body: [0, 1, 0, 0, 0, 0, ...filler(16)] }, ah({ next: PROTO_UDP }, udp({ sport: 5353, dport: 53 }, filler(12))))),
    ),
    headersLen: 14 + 40 + 24 + 24 + 8,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV6,
      ipVersion: 6,
      src: v6(A6),
      dst: v6(B6),
      ipProto: PROTO_UDP,
      protocol: 'udp',
      ttl: 64,
      ipLen: 40 + 24 + 24 + 20,
      srcPort: 5353,
      dstPort: 53,
      payloadLen: 12,
    }),
  },
  {
    line: 'IP6 2001:db8::1 > 2001:db8:0:1::2: ESP(spi=0x00000101,seq=0x5), length 40',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV6 }, ipv6({ src: A6, dst: B6, next: PROTO_ESP, hopLimit: 64 }, esp({ spi: 0x101, seq: 5 }, filler(32)))),
    headersLen: 14 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV6, ipVersion: 6, src: v6(A6), dst: v6(B6), ipProto: PROTO_ESP, protocol: 'esp', ttl: 64, ipLen: 80 }),
  },
  // ------------------------------------------------------------------------------------------ tunnels
  {
    line: 'IP 203.0.113.1 > 203.0.113.2: GREv0, key=0x2a, seq 9, proto IPv4, length 76: IP 10.0.0.1 > 10.0.0.2: ICMP echo request, length 24',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: PROTO_GRE, ttl: 255 }, gre({ protocol: ETH_IPV4, checksum: true, key: 42, seq: 9 }, icmpEchoIpv4('10.0.0.1', '10.0.0.2'))),
    ),
    headersLen: 14 + 20 + 16 + 28,
    want: expected({
      ...ETH_FIELDS,
      etherType: ETH_IPV4,
      ...icmpEchoFields('10.0.0.1', '10.0.0.2'),
      tunnel: 'gre',
      tunnelSrc: '203.0.113.1',
      tunnelDst: '203.0.113.2',
    }),
  },
  {
    line: 'IP 203.0.113.1 > 203.0.113.2: GREv0, proto TEB (0x6558): 00:0a:00:00:00:01 > 00:0a:00:00:00:02, IP6 2001:db8::1.5353 > 2001:db8:0:1::2.53: UDP, length 12',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: PROTO_GRE, ttl: 255 }, gre({ protocol: ETH_TEB }, ethernet({ dst: '00:0a:00:00:00:02', src: '00:0a:00:00:00:01', type: ETH_IPV6 }, udpIpv6()))),
    ),
    headersLen: 14 + 20 + 4 + 14 + 48,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...udpIpv6Fields(), tunnel: 'gre', tunnelSrc: '203.0.113.1', tunnelDst: '203.0.113.2' }),
  },
  {
    line: 'IP 192.168.1.10 > 192.168.1.20: GREv0, seq 3, proto ERSPAN (0x88be): ERSPAN II session 5: IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '192.168.1.10', dst: '192.168.1.20', proto: PROTO_GRE, ttl: 64 }, gre({ protocol: ETH_ERSPAN2, seq: 3 }, erspan2({ session: 5 }, ethernet({ type: ETH_IPV4 }, tcpDataIpv4())))),
    ),
    headersLen: 14 + 20 + 8 + 8 + 14 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...tcpDataFields(), tunnel: 'gre', tunnelSrc: '192.168.1.10', tunnelDst: '192.168.1.20' }),
  },
  {
    line: 'IP 192.168.0.1 > 192.168.0.2: GREv1, call 6016, seq 4, ack 3, length 84: IP 10.0.0.1 > 10.0.0.2: ICMP echo request, length 24',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '192.168.0.1', dst: '192.168.0.2', proto: PROTO_GRE, ttl: 128 }, greV1({ callId: 6016, seq: 4, ack: 3 }, ppp({ protocol: 0x21 }, icmpEchoIpv4('10.0.0.1', '10.0.0.2')))),
    ),
    headersLen: 14 + 20 + 16 + 4 + 28,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...icmpEchoFields('10.0.0.1', '10.0.0.2'), tunnel: 'gre', tunnelSrc: '192.168.0.1', tunnelDst: '192.168.0.2' }),
  },
  {
    line: 'IP 172.16.0.1.42710 > 172.16.0.2.4789: VXLAN, flags [I] (0x08), vni 100: IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: PROTO_UDP, ttl: 62 }, udp({ sport: 42710, dport: 4789 }, vxlan({ vni: 100 }, ethernet({ dst: '00:0a:00:00:00:02', src: '00:0a:00:00:00:01', type: ETH_IPV4 }, tcpDataIpv4())))),
    ),
    headersLen: 14 + 20 + 8 + 8 + 14 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...tcpDataFields(), tunnel: 'vxlan', tunnelSrc: '172.16.0.1', tunnelDst: '172.16.0.2' }),
  },
  {
    line: 'IP 172.16.0.1.42710 > 172.16.0.2.4789: VXLAN, flags [I] (0x08), vni 100: ARP, Request who-has 10.9.9.2 tell 10.9.9.1, length 28',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: PROTO_UDP, ttl: 62 }, udp({ sport: 42710, dport: 4789 }, vxlan({ vni: 100 }, ethernet({ type: ETH_ARP }, arp({ op: 1, senderIp: '10.9.9.1', targetIp: '10.9.9.2' }))))),
    ),
    headersLen: 14 + 20 + 8 + 8 + 14 + 28,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, arpOp: 1, src: '10.9.9.1', dst: '10.9.9.2', protocol: 'arp', tunnel: 'vxlan', tunnelSrc: '172.16.0.1', tunnelDst: '172.16.0.2' }),
  },
  {
    line: 'IP 65.54.227.120.3544 > 192.168.2.16.1060: UDP, length 100 — Teredo origin indication, IP6 2001:0:4136:e378::1.5353 > 2001:db8:0:1::2.53: UDP, length 12',
    linkType: LinkType.ethernet,
    bytes: ethernet(
      { type: ETH_IPV4 },
      ipv4({ src: '65.54.227.120', dst: '192.168.2.16', proto: PROTO_UDP, ttl: 50 }, udp({ sport: 3544, dport: 1060 }, teredo({ auth: { idLen: 0, authLen: 0 }, origin: { port: 1060, ip: '192.168.2.16' } }, udpIpv6('2001:0:4136:e378::1')))),
    ),
    headersLen: 14 + 20 + 8 + 13 + 8 + 48,
    detectableFrom: 14 + 20 + 8 + 13 + 8 + 1,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...udpIpv6Fields('2001:0:4136:e378::1'), tunnel: 'teredo', tunnelSrc: '65.54.227.120', tunnelDst: '192.168.2.16' }),
  },
  {
    line: 'IP 1.2.3.4 > 5.6.7.8: IP6 2001:db8::1.5353 > 2001:db8:0:1::2.53: UDP, length 12 (6in4)',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV4 }, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', proto: PROTO_IPV6 }, udpIpv6())),
    headersLen: 14 + 20 + 48,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...udpIpv6Fields(), tunnel: '6in4', tunnelSrc: '1.2.3.4', tunnelDst: '5.6.7.8' }),
  },
  {
    line: 'IP 1.2.3.4 > 5.6.7.8: IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10 (ipip-proto-4)',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV4 }, ipv4({ src: '1.2.3.4', dst: '5.6.7.8', proto: PROTO_IPIP }, tcpDataIpv4())),
    headersLen: 14 + 20 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV4, ...tcpDataFields(), tunnel: 'ipip', tunnelSrc: '1.2.3.4', tunnelDst: '5.6.7.8' }),
  },
  {
    line: 'IP6 2001:db8:ffff::1 > 2001:db8:ffff::2: IP 192.0.2.1.443 > 198.51.100.2.51000: Flags [P.], length 10 (IPv4 in IPv6, next header 4)',
    linkType: LinkType.ethernet,
    bytes: ethernet({ type: ETH_IPV6 }, ipv6({ src: '2001:db8:ffff::1', dst: '2001:db8:ffff::2', next: PROTO_IPIP }, tcpDataIpv4())),
    headersLen: 14 + 40 + 40,
    want: expected({ ...ETH_FIELDS, etherType: ETH_IPV6, ...tcpDataFields(), tunnel: 'ipip', tunnelSrc: v6('2001:db8:ffff::1'), tunnelDst: v6('2001:db8:ffff::2') }),
  },
  // -------------------------------------------------------------------------------------- link types
  {
    line: 'AF IPv4 (2), IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S] (BSD loopback, little-endian host)',
    linkType: LinkType.null,
    bytes: nullLoopback({ family: 2, littleEndian: true }, tcpSynIpv4()),
    headersLen: 4 + 60,
    want: expected({ linkType: LinkType.null, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'AF IPv6 (30), IP6 2001:db8::1.5353 > 2001:db8:0:1::2.53: UDP, length 12 (BSD loopback, big-endian macOS host)',
    linkType: LinkType.null,
    bytes: nullLoopback({ family: 30, littleEndian: false }, udpIpv6()),
    headersLen: 4 + 48,
    want: expected({ linkType: LinkType.null, ...udpIpv6Fields() }),
  },
  {
    line: 'IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S] (LINKTYPE_RAW)',
    linkType: LinkType.raw,
    bytes: tcpSynIpv4(),
    headersLen: 60,
    want: expected({ linkType: LinkType.raw, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'IP6 2001:db8::1.5353 > 2001:db8:0:1::2.53: UDP, length 12 (LINKTYPE_IPV6)',
    linkType: LinkType.ipv6,
    bytes: udpIpv6(),
    headersLen: 48,
    want: expected({ linkType: LinkType.ipv6, ...udpIpv6Fields() }),
  },
  {
    line: 'In  ethertype IPv4 (0x0800), IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S] (Linux cooked v1)',
    linkType: LinkType.linuxSll,
    bytes: linuxSll({ protocol: ETH_IPV4 }, tcpSynIpv4()),
    headersLen: 16 + 60,
    want: expected({ linkType: LinkType.linuxSll, etherType: ETH_IPV4, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'ifindex 2 ethertype IPv6 (0x86dd), IP6 2001:db8::1.5353 > 2001:db8:0:1::2.53: UDP, length 12 (Linux cooked v2)',
    linkType: LinkType.linuxSll2,
    bytes: linuxSll2({ protocol: ETH_IPV6 }, udpIpv6()),
    headersLen: 20 + 48,
    want: expected({ linkType: LinkType.linuxSll2, etherType: ETH_IPV6, ...udpIpv6Fields() }),
  },
  {
    line: 'NFLOG prefix "netml" IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S]',
    linkType: LinkType.nflog,
    bytes: nflog({ family: 2 }, tcpSynIpv4()),
    headersLen: 4 + 8 + 12 + 4 + 60,
    want: expected({ linkType: LinkType.nflog, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S] (Cisco HDLC, proto 0x0800)',
    linkType: LinkType.ciscoHdlc,
    bytes: ciscoHdlc({ protocol: ETH_IPV4 }, tcpSynIpv4()),
    headersLen: 4 + 60,
    want: expected({ linkType: LinkType.ciscoHdlc, etherType: ETH_IPV4, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'PPI v0, 8 bytes, DLT EN10MB: IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S]',
    linkType: LinkType.ppi,
    bytes: ppi({ linkType: LinkType.ethernet }, ethernet({ type: ETH_IPV4 }, tcpSynIpv4())),
    headersLen: 8 + 14 + 60,
    want: expected({ linkType: LinkType.ppi, ...ETH_FIELDS, etherType: ETH_IPV4, ...TCP_SYN_FIELDS }),
  },
  {
    line: 'PPP, IP 192.0.2.1.43210 > 198.51.100.2.80: Flags [S] (LINKTYPE_PPP with address/control)',
    linkType: LinkType.ppp,
    bytes: ppp({ protocol: 0x0021 }, tcpSynIpv4()),
    headersLen: 4 + 60,
    want: expected({ linkType: LinkType.ppp, etherType: ETH_IPV4, ...TCP_SYN_FIELDS }),
  },
];

/** A GRE PPTP frame used by the PPP tests: enhanced GRE carrying an LCP echo, which stays plain GRE. */
export function pptpLcpEcho(): Uint8Array {
  return ethernet(
    { type: ETH_IPV4 },
    ipv4({ src: '192.168.0.1', dst: '192.168.0.2', proto: PROTO_GRE, ttl: 128 }, greV1({ callId: 6016, seq: 4 }, ppp({ protocol: 0xc021 }, [9, 1, 0, 8, 0, 0, 0, 0]))),
  );
}

