import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/decode/link-types.js';
import {
  ciscoHdlc,
  concat,
  ETH_ARP,
  ETH_IPV4,
  ETH_IPV6,
  ethernet,
  filler,
  arp,
  ipv4,
  ipv6,
  linuxSll,
  linuxSll2,
  nflog,
  nullLoopback,
  ppi,
  ppp,
  pppoeSession,
  PROTO_ICMPV6,
  PROTO_TCP,
  icmp,
  tcp,
  TCP_FIN,
  TCP_ACK,
  u16le,
} from '../helpers/packet-builder.js';
import { decode, expected, v6 } from './decoded-view.js';

/** IP 10.0.0.1.80 > 10.0.0.2.40000: Flags [F.], seq 7, ack 8, win 100, length 0 */
const FIN = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: PROTO_TCP, ttl: 64, df: true }, tcp({ sport: 80, dport: 40000, seq: 7, ack: 8, flags: TCP_FIN | TCP_ACK, window: 100 }));
const FIN_FIELDS = {
  ipVersion: 4,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  ipProto: PROTO_TCP,
  protocol: 'tcp',
  ttl: 64,
  ipLen: 40,
  df: 1,
  mf: 0,
  fragOffset: 0,
  srcPort: 80,
  dstPort: 40000,
  tcpFlags: TCP_FIN | TCP_ACK,
  tcpSeq: 7,
  tcpAck: 8,
  tcpWindow: 100,
  tcpOptionsLen: 0,
  payloadLen: 0,
} as const;

/** IP6 fe80::1 > ff02::2: ICMP6, router solicitation, length 8 */
const RS = ipv6({ src: 'fe80::1', dst: 'ff02::2', next: PROTO_ICMPV6, hopLimit: 255 }, icmp({ type: 133, rest: 0 }));
const RS_FIELDS = {
  ipVersion: 6,
  src: v6('fe80::1'),
  dst: v6('ff02::2'),
  ipProto: PROTO_ICMPV6,
  protocol: 'icmpv6',
  ttl: 255,
  ipLen: 48,
  icmpType: 133,
  icmpCode: 0,
  payloadLen: 0,
} as const;

describe('link types that carry IP directly', () => {
  it.each([
    { name: 'BSD loopback AF_INET little-endian', linkType: LinkType.null, bytes: nullLoopback({ family: 2, littleEndian: true }, FIN), fields: FIN_FIELDS },
    { name: 'BSD loopback AF_INET big-endian', linkType: LinkType.null, bytes: nullLoopback({ family: 2, littleEndian: false }, FIN), fields: FIN_FIELDS },
    ...[10, 23, 24, 28, 30].flatMap((family) => [
      { name: `BSD loopback AF_INET6 = ${family} little-endian`, linkType: LinkType.null, bytes: nullLoopback({ family, littleEndian: true }, RS), fields: RS_FIELDS },
      { name: `BSD loopback AF_INET6 = ${family} big-endian`, linkType: LinkType.null, bytes: nullLoopback({ family, littleEndian: false }, RS), fields: RS_FIELDS },
    ]),
    { name: 'OpenBSD loopback (LINKTYPE_LOOP) AF_INET6 = 24 network order', linkType: LinkType.loop, bytes: nullLoopback({ family: 24, littleEndian: false }, RS), fields: RS_FIELDS },
    { name: 'LINKTYPE_RAW with an IPv6 version nibble', linkType: LinkType.raw, bytes: RS, fields: RS_FIELDS },
    { name: 'DLT_RAW written as 12 (BSD)', linkType: 12, bytes: FIN, fields: FIN_FIELDS },
    { name: 'DLT_RAW written as 14 (OpenBSD)', linkType: 14, bytes: RS, fields: RS_FIELDS },
    { name: 'LINKTYPE_IPV4 (228)', linkType: LinkType.ipv4, bytes: FIN, fields: FIN_FIELDS },
    { name: 'LINKTYPE_IPV6 (229)', linkType: LinkType.ipv6, bytes: RS, fields: RS_FIELDS },
    { name: 'NFLOG AF_INET6 with big-endian TLVs (a big-endian host)', linkType: LinkType.nflog, bytes: nflog({ family: 10, bigEndianTlv: true }, RS), fields: RS_FIELDS },
    { name: 'NFLOG AF_UNSPEC: the version nibble decides', linkType: LinkType.nflog, bytes: nflog({ family: 0 }, FIN), fields: FIN_FIELDS },
    { name: 'PPP with protocol-field compression (0x21 on one byte)', linkType: LinkType.ppp, bytes: ppp({ protocol: 0x21, addressControl: false, compressProtocol: true }, FIN), fields: { ...FIN_FIELDS, etherType: ETH_IPV4 } },
    { name: 'PPP in HDLC-like framing (LINKTYPE_PPP_HDLC), IPv6', linkType: LinkType.pppHdlc, bytes: ppp({ protocol: 0x57 }, RS), fields: { ...RS_FIELDS, etherType: ETH_IPV6 } },
    { name: 'PPPoE session without Ethernet (LINKTYPE_PPP_ETHER)', linkType: LinkType.pppEther, bytes: pppoeSession({ pppProtocol: 0x21 }, FIN), fields: { ...FIN_FIELDS, etherType: ETH_IPV4 } },
  ])('$name', ({ linkType, bytes, fields }) => {
    expect(decode(bytes, linkType)).toEqual(expected({ linkType, ...fields }));
  });
});

describe('link types with an ethertype', () => {
  it.each([
    { name: 'Linux cooked v1, IPv6', linkType: LinkType.linuxSll, bytes: linuxSll({ protocol: ETH_IPV6, packetType: 4 }, RS), fields: { ...RS_FIELDS, etherType: ETH_IPV6 } },
    {
      name: 'Linux cooked v1, ARP Request who-has 10.0.0.2 tell 10.0.0.1',
      linkType: LinkType.linuxSll,
      bytes: linuxSll({ protocol: ETH_ARP }, arp({ op: 1, senderIp: '10.0.0.1', targetIp: '10.0.0.2' })),
      fields: { etherType: ETH_ARP, arpOp: 1, src: '10.0.0.1', dst: '10.0.0.2', protocol: 'arp' },
    },
    { name: 'Linux cooked v2, IPv4', linkType: LinkType.linuxSll2, bytes: linuxSll2({ protocol: ETH_IPV4 }, FIN), fields: { ...FIN_FIELDS, etherType: ETH_IPV4 } },
    { name: 'Linux cooked v1 on a tun device (ARPHRD_NONE)', linkType: LinkType.linuxSll, bytes: linuxSll({ protocol: ETH_IPV4, hatype: 0xfffe }, FIN), fields: { ...FIN_FIELDS, etherType: ETH_IPV4 } },
    { name: 'Cisco HDLC, IPv6', linkType: LinkType.ciscoHdlc, bytes: ciscoHdlc({ protocol: ETH_IPV6 }, RS), fields: { ...RS_FIELDS, etherType: ETH_IPV6 } },
    {
      name: 'PPI with a 20-byte header around Ethernet',
      linkType: LinkType.ppi,
      bytes: ppi({ linkType: LinkType.ethernet, headerLength: 20 }, ethernet({ type: ETH_IPV4 }, FIN)),
      fields: { ...FIN_FIELDS, etherType: ETH_IPV4, ethDst: '00:11:22:33:44:55', ethSrc: '66:77:88:99:aa:bb' },
    },
    { name: 'PPI around raw IP', linkType: LinkType.ppi, bytes: ppi({ linkType: LinkType.raw }, RS), fields: RS_FIELDS },
  ])('$name', ({ linkType, bytes, fields }) => {
    expect(decode(bytes, linkType)).toEqual(expected({ linkType, ...fields }));
  });
});

describe('link headers that are cut, odd or not decoded', () => {
  it.each([
    { name: 'BSD loopback with AF 7 (AF_OSI)', linkType: LinkType.null, bytes: nullLoopback({ family: 7, littleEndian: true }, FIN), status: 'unsupported', detail: 'loopback: address family 7 not decoded' },
    { name: 'BSD loopback cut after 3 bytes', linkType: LinkType.null, bytes: new Uint8Array([2, 0, 0]), status: 'truncated', detail: 'loopback: header needs 4 bytes, 3 captured' },
    { name: 'raw IP with version nibble 5', linkType: LinkType.raw, bytes: new Uint8Array([0x50, 0, 0, 0]), status: 'malformed', detail: 'raw ip: version field is 5, expected 4 or 6' },
    { name: 'raw IP with no bytes at all', linkType: LinkType.raw, bytes: new Uint8Array(0), status: 'truncated', detail: 'raw ip: header needs 1 byte, 0 captured' },
    { name: 'LINKTYPE_IPV6 holding IPv4', linkType: LinkType.ipv6, bytes: FIN, status: 'malformed', detail: 'ipv6: version field is 4, expected 6' },
    { name: 'Linux cooked v1 cut inside its header', linkType: LinkType.linuxSll, bytes: linuxSll({ protocol: ETH_IPV4 }).subarray(0, 12), status: 'truncated', detail: 'linux sll: header needs 16 bytes, 12 captured' },
    { name: 'Linux cooked v2 cut inside its header', linkType: LinkType.linuxSll2, bytes: linuxSll2({ protocol: ETH_IPV4 }).subarray(0, 19), status: 'truncated', detail: 'linux sll2: header needs 20 bytes, 19 captured' },
    { name: 'Linux cooked netlink message', linkType: LinkType.linuxSll, bytes: linuxSll({ protocol: 0, hatype: 824 }, filler(16)), status: 'unsupported', detail: 'linux sll: netlink messages not decoded' },
    { name: 'Linux cooked Novell raw 802.3', linkType: LinkType.linuxSll, bytes: linuxSll({ protocol: 1 }, filler(16)), status: 'unsupported', detail: 'linux sll: protocol 0x0001 (Novell 802.3) not decoded' },
    { name: 'Linux cooked 802.2 LLC (STP)', linkType: LinkType.linuxSll, bytes: linuxSll({ protocol: 4 }, [0x42, 0x42, 3, 0, 0]), status: 'unsupported', detail: 'llc: dsap 0x42 not decoded' },
    { name: 'NFLOG TLV of length 2', linkType: LinkType.nflog, bytes: new Uint8Array([2, 0, 0, 0, ...u16le(2), ...u16le(9)]), status: 'malformed', detail: 'nflog: TLV length 2 is below 4' },
    { name: 'NFLOG without a payload TLV', linkType: LinkType.nflog, bytes: new Uint8Array([2, 0, 0, 0, ...u16le(8), ...u16le(1), 8, 0, 3, 0]), status: 'unsupported', detail: 'nflog: no payload TLV (type 9)' },
    { name: 'NFLOG cut in a TLV header', linkType: LinkType.nflog, bytes: new Uint8Array([2, 0, 0, 0, 8, 0]), status: 'truncated', detail: 'nflog: TLV header needs 4 bytes, 2 captured' },
    { name: 'NFLOG payload of an unknown family', linkType: LinkType.nflog, bytes: nflog({ family: 7 }, [0x10, 0, 0, 0]), status: 'unsupported', detail: 'nflog: address family 7 not decoded' },
    { name: 'Cisco HDLC SLARP (0x8035, not the RARP it means on Ethernet)', linkType: LinkType.ciscoHdlc, bytes: ciscoHdlc({ protocol: 0x8035 }, filler(20)), status: 'unsupported', detail: 'cisco hdlc: SLARP not decoded' },
    { name: 'Cisco HDLC CDP', linkType: LinkType.ciscoHdlc, bytes: ciscoHdlc({ protocol: 0x2000 }, filler(10)), status: 'unsupported', detail: 'ethertype 0x2000 not decoded' },
    { name: 'PPI inside PPI', linkType: LinkType.ppi, bytes: ppi({ linkType: LinkType.ppi }, ppi({ linkType: LinkType.raw }, FIN)), status: 'malformed', detail: 'ppi: nested PPI header' },
    { name: 'PPI header length 4', linkType: LinkType.ppi, bytes: concat([0, 0], u16le(4), [1, 0, 0, 0]), status: 'malformed', detail: 'ppi: header length 4 is below 8' },
    { name: 'PPI header length beyond the frame', linkType: LinkType.ppi, bytes: ppi({ linkType: 1, headerLength: 64 }).subarray(0, 30), status: 'truncated', detail: 'ppi: header needs 64 bytes, 30 captured' },
    { name: 'PPI around a link type netml does not know', linkType: LinkType.ppi, bytes: ppi({ linkType: 105 }, filler(24)), status: 'unsupported', detail: 'link type 105 not decoded' },
    { name: 'PPP LCP', linkType: LinkType.ppp, bytes: ppp({ protocol: 0xc021 }, filler(8)), status: 'unsupported', detail: 'ppp: protocol 0xc021 not decoded' },
    { name: 'PPP cut after address and control', linkType: LinkType.ppp, bytes: new Uint8Array([0xff, 0x03]), status: 'truncated', detail: 'ppp: protocol needs 2 bytes, 0 captured' },
  ])('$name', ({ linkType, bytes, status, detail }) => {
    const got = decode(bytes, linkType);
    expect(got.status).toBe(status);
    expect(got.detail).toBe(detail);
    expect(got.ipVersion).toBe(0);
  });
});
