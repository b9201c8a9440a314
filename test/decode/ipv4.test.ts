import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/decode/link-types.js';
import {
  ah,
  filler,
  ipv4,
  PROTO_AH,
  PROTO_ESP,
  PROTO_IGMP,
  PROTO_TCP,
  PROTO_UDP,
  esp,
  tcp,
  TCP_ACK,
  udp,
} from '../helpers/packet-builder.js';
import { decode, expected } from './decoded-view.js';

const RAW = LinkType.raw;
const BASE = { linkType: RAW, ipVersion: 4, src: '10.0.0.1', dst: '10.0.0.2', ttl: 64, df: 0, mf: 0, fragOffset: 0 } as const;
const ADDR = { src: '10.0.0.1', dst: '10.0.0.2' } as const;

/** 10.0.0.1.1000 > 10.0.0.2.2000: UDP, length 6 */
const DNS_LIKE = udp({ sport: 1000, dport: 2000 }, filler(6));

describe('IPv4 header fields', () => {
  it.each([
    {
      name: 'IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto UDP (17), length 34) with DF set',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, df: true }, DNS_LIKE),
      want: expected({ ...BASE, df: 1, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 34, srcPort: 1000, dstPort: 2000, payloadLen: 6 }),
    },
    {
      name: 'IP (options [RA], length 38): a router-alert option moves the UDP header by 4',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, options: [0x94, 4, 0, 0] }, DNS_LIKE),
      want: expected({ ...BASE, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 38, srcPort: 1000, dstPort: 2000, payloadLen: 6 }),
    },
    {
      name: 'IP (ttl 1, proto IGMP (2), length 32): IGMP is named, nothing more',
      bytes: ipv4({ ...ADDR, proto: PROTO_IGMP, ttl: 1, options: [0x94, 4, 0, 0] }, [0x16, 0, 0, 0, 224, 0, 0, 251]),
      want: expected({ ...BASE, ttl: 1, ipProto: PROTO_IGMP, protocol: 'igmp', ipLen: 32 }),
    },
    {
      name: 'IP (proto OSPF (89), length 40): any other protocol is "ip"',
      bytes: ipv4({ ...ADDR, proto: 89 }, filler(20)),
      want: expected({ ...BASE, ipProto: 89, protocol: 'ip', ipLen: 40 }),
    },
    {
      name: 'IP (proto ESP (50), length 48): ESP(spi=0x00000200,seq=0x1) stops decoding',
      bytes: ipv4({ ...ADDR, proto: PROTO_ESP }, esp({ spi: 0x200 }, filler(20))),
      want: expected({ ...BASE, ipProto: PROTO_ESP, protocol: 'esp', ipLen: 48 }),
    },
    {
      name: 'IP (proto AH (51)) AH(spi=0x00001000,seq=0x1): 10.0.0.1.1000 > 10.0.0.2.2000: UDP: AH is skipped by its length',
      bytes: ipv4({ ...ADDR, proto: PROTO_AH }, ah({ next: PROTO_UDP, icvLen: 12 }, DNS_LIKE)),
      want: expected({ ...BASE, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 20 + 24 + 14, srcPort: 1000, dstPort: 2000, payloadLen: 6 }),
    },
    {
      name: 'IP (flags [+], offset 0, proto UDP, length 28): a first fragment keeps the UDP header and its datagram length',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, mf: true }, udp({ sport: 1000, dport: 2000, length: 3000 })),
      want: expected({ ...BASE, mf: 1, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 28, srcPort: 1000, dstPort: 2000, payloadLen: 2992 }),
    },
    {
      name: 'IP (flags [+], offset 8, proto TCP, length 40): a middle fragment has no TCP header',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP, mf: true, fragOffset: 8 }, filler(20)),
      want: expected({ ...BASE, mf: 1, fragOffset: 8, ipProto: PROTO_TCP, protocol: 'tcp', ipLen: 40 }),
    },
    {
      name: 'IP (offset 65528, proto UDP): the largest fragment offset',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, fragOffset: 65528 }, filler(8)),
      want: expected({ ...BASE, fragOffset: 65528, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 28 }),
    },
    {
      name: 'IP (length 0) from TSO / BIG TCP: the captured bytes are the length',
      bytes: ipv4({ ...ADDR, proto: PROTO_TCP, totalLength: 0 }, tcp({ sport: 1, dport: 2, seq: 3, ack: 4, flags: TCP_ACK, window: 5 }, filler(100))),
      want: expected({
        ...BASE,
        ipProto: PROTO_TCP,
        protocol: 'tcp',
        ipLen: 140,
        srcPort: 1,
        dstPort: 2,
        tcpFlags: TCP_ACK,
        tcpSeq: 3,
        tcpAck: 4,
        tcpWindow: 5,
        tcpOptionsLen: 0,
        payloadLen: 100,
      }),
    },
    {
      name: 'IP (length 34) followed by 12 bytes of Ethernet padding: the padding is not payload',
      bytes: Uint8Array.from([...ipv4({ ...ADDR, proto: PROTO_UDP }, DNS_LIKE), ...new Array(12).fill(0)]),
      want: expected({ ...BASE, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 34, srcPort: 1000, dstPort: 2000, payloadLen: 6 }),
    },
    {
      name: 'IP (length 1034) captured with a 60-byte snap length: payload from the declared length, status ok',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, udp({ sport: 1000, dport: 2000 }, filler(1006))).subarray(0, 60),
      want: expected({ ...BASE, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 1034, srcPort: 1000, dstPort: 2000, payloadLen: 1006 }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(want);
  });
});

describe('IPv4 headers that are cut or impossible', () => {
  it.each([
    {
      name: 'a header cut at 19 bytes: version and total length are kept, addresses are not',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP }, DNS_LIKE).subarray(0, 19),
      want: expected({ linkType: RAW, ipVersion: 4, ipLen: 34, protocol: 'ip', status: 'truncated', detail: 'ipv4: header needs 20 bytes, 19 captured' }),
    },
    {
      name: 'IHL 4 (16 bytes)',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, versionIhl: 0x44 }, DNS_LIKE),
      want: expected({ linkType: RAW, status: 'malformed', detail: 'ipv4: header length 16 is below 20' }),
    },
    {
      name: 'total length 12, below the 20-byte header: only version and length are trusted',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, totalLength: 12 }, DNS_LIKE),
      want: expected({ linkType: RAW, ipVersion: 4, ipLen: 12, protocol: 'ip', status: 'malformed', detail: 'ipv4: total length 12 is below the header length 20' }),
    },
    {
      name: 'total length 0 on ICMP: flagged, since segmentation offload only explains it for TCP and UDP, but decoded',
      bytes: ipv4({ ...ADDR, proto: 1, totalLength: 0 }, [8, 0, 0, 0, 0, 1, 0, 1, ...filler(16)]),
      want: expected({
        ...BASE,
        ipProto: 1,
        protocol: 'icmp',
        ipLen: 44,
        icmpType: 8,
        icmpCode: 0,
        payloadLen: 16,
        status: 'malformed',
        detail: 'ipv4: total length 0 on protocol 1; the 44 captured bytes were used',
      }),
    },
    {
      name: 'IHL 15 (60 bytes) with only 30 captured: the fixed fields are kept',
      bytes: ipv4({ ...ADDR, proto: PROTO_UDP, options: new Array(40).fill(1) }, DNS_LIKE).subarray(0, 30),
      want: expected({ ...BASE, ipProto: PROTO_UDP, protocol: 'udp', ipLen: 74, status: 'truncated', detail: 'ipv4: header with options needs 60 bytes, 30 captured' }),
    },
    {
      name: 'AH whose length runs past the IP payload',
      bytes: ipv4({ ...ADDR, proto: PROTO_AH }, [PROTO_UDP, 20, 0, 0, ...filler(8)]),
      want: expected({ ...BASE, ipProto: PROTO_AH, protocol: 'ah', ipLen: 32, status: 'malformed', detail: 'ah: header length 88 exceeds the 12 bytes the IP header leaves' }),
    },
    {
      name: 'AH cut after its first byte',
      bytes: ipv4({ ...ADDR, proto: PROTO_AH }, ah({ next: PROTO_UDP }, DNS_LIKE)).subarray(0, 21),
      want: expected({ ...BASE, ipProto: PROTO_AH, protocol: 'ah', ipLen: 58, status: 'truncated', detail: 'ah: header needs 12 bytes, 1 captured' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(want);
  });
});
