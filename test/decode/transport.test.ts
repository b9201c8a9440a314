import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/decode/link-types.js';
import {
  concat,
  ETH_ARP,
  ethernet,
  filler,
  icmp,
  ipv4,
  ipv6,
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_SCTP,
  PROTO_TCP,
  PROTO_UDP,
  sctp,
  tcp,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_NS,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_SYN_OPTIONS,
  TCP_URG,
  u16,
  udp,
} from '../helpers/packet-builder.js';
import { decode, expected, v6 } from './decoded-view.js';
import { MAC_A, MAC_B } from './fixtures.js';

const RAW = LinkType.raw;
const V4 = { linkType: RAW, ipVersion: 4, src: '10.0.0.1', dst: '10.0.0.2', ttl: 64, df: 0, mf: 0, fragOffset: 0 } as const;
const ADDR = { src: '10.0.0.1', dst: '10.0.0.2' } as const;

function tcpFields(o: { flags: number; seq?: number; ack?: number; window?: number; options?: number; payload?: number }) {
  return {
    ipProto: PROTO_TCP,
    protocol: 'tcp',
    srcPort: 40000,
    dstPort: 443,
    tcpFlags: o.flags,
    tcpSeq: o.seq ?? 1000,
    tcpAck: o.ack ?? 2000,
    tcpWindow: o.window ?? 65535,
    tcpOptionsLen: o.options ?? 0,
    payloadLen: o.payload ?? 0,
  };
}

describe('TCP', () => {
  it.each([
    { name: 'Flags [S], seq 1000, win 65535, options [mss 1460,sackOK,TS,nop,wscale 7]', flags: TCP_SYN, options: TCP_SYN_OPTIONS, payload: 0 },
    { name: 'Flags [S.E], ECN-setup SYN-ACK', flags: TCP_SYN | TCP_ACK | TCP_ECE, options: [], payload: 0 },
    { name: 'Flags [SEW], ECN-setup SYN with CWR and ECE', flags: TCP_SYN | TCP_ECE | TCP_CWR, options: [], payload: 0 },
    { name: 'Flags [P.], length 100', flags: TCP_PSH | TCP_ACK, options: [], payload: 100 },
    { name: 'Flags [FPU], the "Xmas" scan', flags: TCP_FIN | TCP_PSH | TCP_URG, options: [], payload: 0 },
    { name: 'Flags [R], length 0', flags: TCP_RST, options: [], payload: 0 },
    { name: 'Flags [.] with the NS bit (RFC 3540) and all three reserved bits', flags: TCP_NS | 0xe00 | TCP_ACK, options: [], payload: 0 },
    { name: 'Flags [none], options [nop,nop,TS val 1 ecr 2], length 5', flags: 0, options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], payload: 5 },
  ])('$name', ({ flags, options, payload }) => {
    const bytes = ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443, flags, options }, filler(payload)));
    expect(decode(bytes, RAW)).toEqual(expected({ ...V4, ipLen: 40 + options.length + payload, ...tcpFields({ flags, options: options.length, payload }) }));
  });

  it('reads sequence and acknowledgement numbers above 2^31 as unsigned', () => {
    const bytes = ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443, seq: 0xffffffff, ack: 0x80000000, flags: TCP_ACK, window: 0 }));
    expect(decode(bytes, RAW)).toEqual(expected({ ...V4, ipLen: 40, ...tcpFields({ flags: TCP_ACK, seq: 4294967295, ack: 2147483648, window: 0 }) }));
  });

  it.each([
    {
      name: 'data offset 4 (16 bytes) is impossible; the fixed fields are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443, flags: TCP_ACK, dataOffset: 4 })),
      want: { ...V4, ipLen: 40, ...tcpFields({ flags: TCP_ACK }), tcpOptionsLen: -1, payloadLen: -1, status: 'malformed', detail: 'tcp: data offset gives a 16-byte header, below 20' },
    },
    {
      name: 'data offset 15 (60 bytes) in a 40-byte IP packet',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443, flags: TCP_ACK, dataOffset: 15 })),
      want: { ...V4, ipLen: 40, ...tcpFields({ flags: TCP_ACK }), tcpOptionsLen: 40, payloadLen: -1, status: 'malformed', detail: 'tcp: header length 60 exceeds the 20 bytes the IP header leaves' },
    },
    {
      name: 'options cut by the snap length: the fixed header and the payload length are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443, flags: TCP_SYN, options: TCP_SYN_OPTIONS })).subarray(0, 48),
      want: { ...V4, ipLen: 60, ...tcpFields({ flags: TCP_SYN, options: 20 }), status: 'truncated', detail: 'tcp: header with options needs 40 bytes, 28 captured' },
    },
    {
      name: 'an IP total length that leaves 12 bytes for TCP',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP, totalLength: 32 }, tcp({ sport: 40000, dport: 443 })),
      want: { ...V4, ipLen: 32, ipProto: PROTO_TCP, protocol: 'tcp', srcPort: 40000, dstPort: 443, status: 'malformed', detail: 'tcp: header needs 20 bytes, the IP header leaves 12' },
    },
    {
      name: 'a TCP header cut at 12 bytes: the ports are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443 })).subarray(0, 32),
      want: { ...V4, ipLen: 40, ipProto: PROTO_TCP, protocol: 'tcp', srcPort: 40000, dstPort: 443, status: 'truncated', detail: 'tcp: header needs 20 bytes, 12 captured' },
    },
    {
      name: 'a TCP header cut at 3 bytes: not even the ports',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP }, tcp({ sport: 40000, dport: 443 })).subarray(0, 23),
      want: { ...V4, ipLen: 40, ipProto: PROTO_TCP, protocol: 'tcp', status: 'truncated', detail: 'tcp: header needs 20 bytes, 3 captured' },
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(expected(want));
  });
});

describe('UDP', () => {
  const UDP_BASE = { ...V4, ipProto: PROTO_UDP, protocol: 'udp', srcPort: 1000, dstPort: 2000 } as const;
  it.each([
    { name: 'UDP, length 0 (an empty datagram)', bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000 })), want: { ...UDP_BASE, ipLen: 28, payloadLen: 0 } },
    { name: 'UDP, length 100', bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000 }, filler(100))), want: { ...UDP_BASE, ipLen: 128, payloadLen: 100 } },
    {
      name: 'UDP length 4, below its own header',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000, length: 4 }, filler(4))),
      want: { ...UDP_BASE, ipLen: 32, status: 'malformed', detail: 'udp: length 4 is below the 8-byte header' },
    },
    {
      name: 'UDP length 300 in a 28-byte IP packet (not a fragment)',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000, length: 300 })),
      want: { ...UDP_BASE, ipLen: 28, payloadLen: 292, status: 'malformed', detail: 'udp: length 300 exceeds the 8 bytes the IP header leaves' },
    },
    {
      name: 'UDP length shorter than the IP payload: the UDP length wins',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000, length: 10 }, filler(20))),
      want: { ...UDP_BASE, ipLen: 48, payloadLen: 2 },
    },
    {
      name: 'a UDP header cut at 6 bytes: the ports are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000 })).subarray(0, 26),
      want: { ...UDP_BASE, ipLen: 28, status: 'truncated', detail: 'udp: header needs 8 bytes, 6 captured' },
    },
    {
      name: 'an IP total length that leaves 4 bytes for UDP: the ports are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, totalLength: 24 }, udp({ sport: 1000, dport: 2000 })),
      want: { ...UDP_BASE, ipLen: 24, status: 'malformed', detail: 'udp: header needs 8 bytes, the IP header leaves 4' },
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(expected(want));
  });
});

describe('ICMP, ICMPv6 and SCTP', () => {
  it.each([
    {
      name: 'ICMP echo reply, id 1, seq 1, length 64',
      bytes: ipv4({ ...ADDR, proto: PROTO_ICMP }, icmp({ type: 0 }, filler(56))),
      want: { ...V4, ipLen: 84, ipProto: PROTO_ICMP, protocol: 'icmp', icmpType: 0, icmpCode: 0, payloadLen: 56 },
    },
    {
      name: 'ICMP 10.0.0.2 udp port 53 unreachable: the quoted header does not replace the addresses or ports',
      bytes: ipv4(
        { ...ADDR, proto: PROTO_ICMP },
        icmp({ type: 3, code: 3, rest: 0 }, ipv4({ src: '10.0.0.2', dst: '192.0.2.99', proto: PROTO_UDP, ttl: 1 }, udp({ sport: 5353, dport: 53 }, filler(4)))),
      ),
      want: { ...V4, ipLen: 20 + 8 + 32, ipProto: PROTO_ICMP, protocol: 'icmp', icmpType: 3, icmpCode: 3, payloadLen: 32 },
    },
    {
      name: 'ICMP time exceeded in-transit quoting a TCP header',
      bytes: ipv4({ ...ADDR, proto: PROTO_ICMP }, icmp({ type: 11, code: 0, rest: 0 }, ipv4({ src: '192.0.2.5', dst: '192.0.2.6', proto: PROTO_TCP, ttl: 1 }, filler(8)))),
      want: { ...V4, ipLen: 20 + 8 + 28, ipProto: PROTO_ICMP, protocol: 'icmp', icmpType: 11, icmpCode: 0, payloadLen: 28 },
    },
    {
      name: 'ICMP header cut at 4 bytes: type and code are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_ICMP }, icmp({ type: 8 })).subarray(0, 24),
      want: { ...V4, ipLen: 28, ipProto: PROTO_ICMP, protocol: 'icmp', icmpType: 8, icmpCode: 0, status: 'truncated', detail: 'icmp: header needs 8 bytes, 4 captured' },
    },
    {
      name: 'ICMP in an IP packet whose total length leaves 4 bytes',
      bytes: ipv4({ ...ADDR, proto: PROTO_ICMP, totalLength: 24 }, icmp({ type: 8 })),
      want: { ...V4, ipLen: 24, ipProto: PROTO_ICMP, protocol: 'icmp', icmpType: 8, icmpCode: 0, status: 'malformed', detail: 'icmp: header needs 8 bytes, the IP header leaves 4' },
    },
    {
      name: 'SCTP 5000 > 36412: [INIT] (ports only; the chunks are the payload)',
      bytes: ipv4({ ...ADDR, proto: PROTO_SCTP }, sctp({ sport: 5000, dport: 36412 }, filler(20))),
      want: { ...V4, ipLen: 52, ipProto: PROTO_SCTP, protocol: 'sctp', srcPort: 5000, dstPort: 36412, payloadLen: 20 },
    },
    {
      name: 'SCTP common header cut at 8 bytes: the ports are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_SCTP }, sctp({ sport: 5000, dport: 36412 })).subarray(0, 28),
      want: { ...V4, ipLen: 32, ipProto: PROTO_SCTP, protocol: 'sctp', srcPort: 5000, dstPort: 36412, status: 'truncated', detail: 'sctp: common header needs 12 bytes, 8 captured' },
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(expected(want));
  });

  it('IP6 2001:db8::1 > 2001:db8::2: ICMP6, destination unreachable, unreachable port, quoting IPv6/UDP', () => {
    const quoted = ipv6({ src: '2001:db8::2', dst: '2001:db8::99', next: PROTO_UDP }, udp({ sport: 1, dport: 2 }));
    const bytes = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: PROTO_ICMPV6 }, icmp({ type: 1, code: 4, rest: 0 }, quoted));
    expect(decode(bytes, RAW)).toEqual(
      expected({
        linkType: RAW,
        ipVersion: 6,
        src: v6('2001:db8::1'),
        dst: v6('2001:db8::2'),
        ttl: 64,
        ipLen: 40 + 8 + 48,
        ipProto: PROTO_ICMPV6,
        protocol: 'icmpv6',
        icmpType: 1,
        icmpCode: 4,
        payloadLen: 48,
      }),
    );
  });
});

describe('ARP', () => {
  const ETH = { ethDst: MAC_A, ethSrc: MAC_B, etherType: ETH_ARP } as const;
  it.each([
    {
      name: 'ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.9 tell 10.0.0.1 with 18 bytes of padding',
      bytes: ethernet({ type: ETH_ARP }, concat(u16(1), u16(0x0800), [6, 4], u16(1), filler(6), [10, 0, 0, 1], filler(6), [10, 0, 0, 9], new Array(18).fill(0))),
      want: { ...ETH, arpOp: 1, src: '10.0.0.1', dst: '10.0.0.9', protocol: 'arp' },
    },
    {
      name: 'ARP over an 8-byte hardware address (the address offsets follow the lengths)',
      bytes: ethernet({ type: ETH_ARP }, concat(u16(6), u16(0x0800), [8, 4], u16(2), filler(8), [10, 0, 0, 2], filler(8), [10, 0, 0, 3])),
      want: { ...ETH, arpOp: 2, src: '10.0.0.2', dst: '10.0.0.3', protocol: 'arp' },
    },
    {
      name: 'ARP for a protocol other than IPv4: opcode only',
      bytes: ethernet({ type: ETH_ARP }, concat(u16(1), u16(0x809b), [6, 2], u16(1), filler(6), [0, 1], filler(6), [0, 2])),
      want: { ...ETH, arpOp: 1, protocol: 'arp' },
    },
    {
      name: 'ARP cut inside the target address: the opcode is kept',
      bytes: ethernet({ type: ETH_ARP }, concat(u16(1), u16(0x0800), [6, 4], u16(1), filler(6), [10, 0, 0, 1], filler(6), [10, 0])),
      want: { ...ETH, arpOp: 1, protocol: 'arp', status: 'truncated', detail: 'arp: addresses need 28 bytes, 26 captured' },
    },
    {
      name: 'ATMARP (hardware type 19) has another layout and is not decoded',
      bytes: ethernet({ type: ETH_ARP }, concat(u16(19), u16(0x0800), [6, 4], u16(1), filler(20))),
      want: { ...ETH, protocol: 'arp', status: 'unsupported', detail: 'arp: ATMARP (hardware type 19) not decoded' },
    },
    {
      name: 'ARP cut inside the fixed part',
      bytes: ethernet({ type: ETH_ARP }, [0, 1, 8, 0, 6]),
      want: { ...ETH, protocol: 'arp', status: 'truncated', detail: 'arp: header needs 8 bytes, 5 captured' },
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes)).toEqual(expected(want));
  });
});
