import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/decode/link-types.js';
import {
  ah,
  concat,
  esp,
  filler,
  icmp,
  ipv6,
  ipv6Extension,
  ipv6Fragment,
  jumboHopByHop,
  PROTO_AH,
  PROTO_DEST_OPTS,
  PROTO_ESP,
  PROTO_FRAGMENT,
  PROTO_HOP_BY_HOP,
  PROTO_ICMPV6,
  PROTO_MOBILITY,
  PROTO_NO_NEXT,
  PROTO_ROUTING,
  PROTO_TCP,
  PROTO_UDP,
  tcp,
  TCP_ACK,
  udp,
} from '../helpers/packet-builder.js';
import { decode, expected, v6 } from './decoded-view.js';

const RAW = LinkType.raw;
const ADDR = { src: '2001:db8::a', dst: '2001:db8::b' } as const;
const BASE = { linkType: RAW, ipVersion: 6, src: v6(ADDR.src), dst: v6(ADDR.dst), ttl: 64 } as const;

/** 2001:db8::a.1000 > 2001:db8::b.2000: UDP, length 6 */
const UDP6 = udp({ sport: 1000, dport: 2000 }, filler(6));
const UDP_FIELDS = { ipProto: PROTO_UDP, protocol: 'udp', srcPort: 1000, dstPort: 2000, payloadLen: 6 } as const;

describe('IPv6 and its extension headers', () => {
  it.each([
    {
      name: 'IP6 (hlim 64, next-header UDP (17) payload length: 14) 2001:db8::a.1000 > 2001:db8::b.2000: UDP, length 6',
      bytes: ipv6({ ...ADDR, next: PROTO_UDP }, UDP6),
      want: expected({ ...BASE, ipLen: 54, ...UDP_FIELDS }),
    },
    {
      name: 'IP6 HBH (rtalert: 0x0000) ICMP6, multicast listener report v2: ipProto is the header after hop-by-hop',
      bytes: ipv6({ ...ADDR, next: PROTO_HOP_BY_HOP, hopLimit: 1 }, ipv6Extension({ next: PROTO_ICMPV6, body: [5, 2, 0, 0] }, icmp({ type: 143 }, filler(20)))),
      want: expected({ ...BASE, ttl: 1, ipLen: 76, ipProto: PROTO_ICMPV6, protocol: 'icmpv6', icmpType: 143, icmpCode: 0, payloadLen: 20 }),
    },
    {
      name: 'IP6 DSTOPT MOBILITY (binding update), next header none: ipProto 59 is "ip"',
      bytes: ipv6({ ...ADDR, next: PROTO_DEST_OPTS }, ipv6Extension({ next: PROTO_MOBILITY, body: [0xc9, 16, ...filler(16)] }, ipv6Extension({ next: PROTO_NO_NEXT, body: [5, 0, ...filler(10)] }))),
      want: expected({ ...BASE, ipLen: 40 + 24 + 16, ipProto: PROTO_NO_NEXT, protocol: 'ip' }),
    },
    {
      name: 'IP6 srcrt (type 4, segment routing, 1 segment) 2001:db8::a.1000 > 2001:db8::b.2000: UDP',
      bytes: ipv6({ ...ADDR, next: PROTO_ROUTING }, ipv6Extension({ next: PROTO_UDP, body: [4, 0, 0, 0, 0, 0, ...filler(16)] }, UDP6)),
      want: expected({ ...BASE, ipLen: 40 + 24 + 14, ...UDP_FIELDS }),
    },
    {
      name: 'IP6 frag (1448|1232): a non-first fragment stops at the fragment header, ipProto from it',
      bytes: ipv6({ ...ADDR, next: PROTO_FRAGMENT }, ipv6Fragment({ next: PROTO_UDP, offset: 1448, more: false }, filler(64))),
      want: expected({ ...BASE, ipLen: 40 + 8 + 64, ipProto: PROTO_UDP, protocol: 'udp', mf: 0, fragOffset: 1448 }),
    },
    {
      name: 'IP6 frag (0|14) with more fragments: the first fragment keeps its UDP header',
      bytes: ipv6({ ...ADDR, next: PROTO_FRAGMENT }, ipv6Fragment({ next: PROTO_UDP, offset: 0, more: true }, UDP6)),
      want: expected({ ...BASE, ipLen: 40 + 8 + 14, mf: 1, fragOffset: 0, ...UDP_FIELDS }),
    },
    {
      name: 'IP6 AH(spi=0x00001000,seq=0x1): 2001:db8::a.1000 > 2001:db8::b.2000: UDP (AH skipped by its 4-octet length unit)',
      bytes: ipv6({ ...ADDR, next: PROTO_AH }, ah({ next: PROTO_UDP, icvLen: 16 }, UDP6)),
      want: expected({ ...BASE, ipLen: 40 + 28 + 14, ...UDP_FIELDS }),
    },
    {
      name: 'IP6 HBH ESP(spi=0x00000101,seq=0x1): ESP ends the chain',
      bytes: ipv6({ ...ADDR, next: PROTO_HOP_BY_HOP }, ipv6Extension({ next: PROTO_ESP }, esp({ spi: 0x101 }, filler(24)))),
      want: expected({ ...BASE, ipLen: 40 + 8 + 32, ipProto: PROTO_ESP, protocol: 'esp' }),
    },
    {
      name: 'IP6 (payload length 0) HBH (jumbo payload: 70020) TCP, length 70000: the jumbo length counts (RFC 2675)',
      bytes: ipv6({ ...ADDR, next: PROTO_HOP_BY_HOP, payloadLength: 0 }, jumboHopByHop({ next: PROTO_TCP, jumboLength: 8 + 20 + 70000 }, tcp({ sport: 1, dport: 2, seq: 3, ack: 4, flags: TCP_ACK, window: 5 }))),
      want: expected({
        ...BASE,
        ipLen: 40 + 70028,
        ipProto: PROTO_TCP,
        protocol: 'tcp',
        srcPort: 1,
        dstPort: 2,
        tcpFlags: TCP_ACK,
        tcpSeq: 3,
        tcpAck: 4,
        tcpWindow: 5,
        tcpOptionsLen: 0,
        payloadLen: 70000,
      }),
    },
    {
      name: 'IP6 (payload length 0, no jumbo option) from TSO: the captured bytes are the length',
      bytes: ipv6({ ...ADDR, next: PROTO_UDP, payloadLength: 0 }, UDP6),
      want: expected({ ...BASE, ipLen: 54, ...UDP_FIELDS }),
    },
    {
      name: 'IP6 (payload length 0) ICMP6: not segmentation offload, so an ICMPv6 header cannot fit',
      bytes: ipv6({ ...ADDR, next: PROTO_ICMPV6, payloadLength: 0 }, icmp({ type: 128 })),
      want: expected({ ...BASE, ipLen: 40, ipProto: PROTO_ICMPV6, protocol: 'icmpv6', status: 'malformed', detail: 'icmp: header needs 8 bytes, the IP header leaves 0' }),
    },
    {
      name: 'IP6 (payload length 0) no next header: an empty packet, not TSO',
      bytes: ipv6({ ...ADDR, next: PROTO_NO_NEXT }),
      want: expected({ ...BASE, ipLen: 40, ipProto: PROTO_NO_NEXT, protocol: 'ip' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(want);
  });
});

describe('IPv6 headers that are cut or impossible', () => {
  it.each([
    {
      name: 'a header cut at 39 bytes: version, payload length, next header, hop limit and source are kept, the destination is not',
      bytes: ipv6({ ...ADDR, next: PROTO_UDP }, UDP6).subarray(0, 39),
      want: expected({ linkType: RAW, ipVersion: 6, ipLen: 54, ipProto: 17, ttl: 64, src: '2001:db8:0:0:0:0:0:a', protocol: 'udp', status: 'truncated', detail: 'ipv6: header needs 40 bytes, 39 captured' }),
    },
    {
      name: 'a hop-by-hop header cut after 4 of its 8 bytes',
      bytes: ipv6({ ...ADDR, next: PROTO_HOP_BY_HOP }, ipv6Extension({ next: PROTO_UDP }, UDP6)).subarray(0, 44),
      want: expected({ ...BASE, ipLen: 62, protocol: 'ip', status: 'truncated', detail: 'ipv6: extension header 0 needs 8 bytes, 4 captured' }),
    },
    {
      name: 'a routing header longer than the payload length',
      bytes: ipv6({ ...ADDR, next: PROTO_ROUTING, payloadLength: 8 }, [PROTO_UDP, 3, 0, 0, ...filler(28)]),
      want: expected({ ...BASE, ipLen: 48, protocol: 'ip', status: 'malformed', detail: 'ipv6: extension header 43 needs 32 bytes, the payload length leaves 8' }),
    },
    {
      name: 'a fragment header with only 4 bytes of payload length left',
      bytes: ipv6({ ...ADDR, next: PROTO_FRAGMENT, payloadLength: 4 }, filler(8)),
      want: expected({ ...BASE, ipLen: 44, protocol: 'ip', status: 'malformed', detail: 'ipv6: extension header 44 needs 8 bytes, the payload length leaves 4' }),
    },
    {
      name: 'version nibble 4 after ethertype-free raw 229 link type',
      bytes: concat([0x45], filler(39)),
      want: expected({ linkType: LinkType.ipv6, status: 'malformed', detail: 'ipv6: version field is 4, expected 6' }),
      linkType: LinkType.ipv6,
    },
  ])('$name', ({ bytes, want, linkType }) => {
    expect(decode(bytes, linkType ?? RAW)).toEqual(want);
  });

  it('cuts off a chain of 40 destination-options headers', () => {
    let chain: Uint8Array = UDP6;
    chain = ipv6Extension({ next: PROTO_UDP }, chain);
    for (let i = 0; i < 39; i++) chain = ipv6Extension({ next: PROTO_DEST_OPTS }, chain);
    const got = decode(ipv6({ ...ADDR, next: PROTO_DEST_OPTS }, chain), RAW);
    expect(got).toEqual(expected({ ...BASE, ipLen: 40 + 40 * 8 + 14, protocol: 'ip', status: 'unsupported', detail: 'ipv6: more than 32 extension headers' }));
  });
});
