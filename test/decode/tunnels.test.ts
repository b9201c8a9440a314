import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/decode/link-types.js';
import {
  ciscoMetadataGre,
  ETH_CISCO_METADATA,
  ETH_ERSPAN2,
  ETH_ERSPAN3,
  ETH_IPV4,
  ETH_IPV6,
  ETH_MPLS,
  ETH_TEB,
  ETH_VLAN,
  erspan3,
  ethernet,
  filler,
  gre,
  greV1,
  icmp,
  ipv4,
  ipv6,
  mpls,
  ppp,
  PROTO_GRE,
  PROTO_ICMP,
  PROTO_IPIP,
  PROTO_IPV6,
  PROTO_NO_NEXT,
  PROTO_UDP,
  teredo,
  udp,
  vlan,
  vxlan,
} from '../helpers/packet-builder.js';
import { decode, expected, v6 } from './decoded-view.js';
import { pptpLcpEcho } from './fixtures.js';

const RAW = LinkType.raw;
const OUTER = { src: '203.0.113.1', dst: '203.0.113.2' } as const;

/** IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 16 */
const PING = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: PROTO_ICMP, ttl: 9 }, icmp({ type: 8 }, filler(8)));
const PING_FIELDS = {
  ipVersion: 4,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  ipProto: PROTO_ICMP,
  protocol: 'icmp',
  ttl: 9,
  ipLen: 36,
  df: 0,
  mf: 0,
  fragOffset: 0,
  icmpType: 8,
  icmpCode: 0,
  payloadLen: 8,
} as const;
const GRE_TUNNEL = { tunnel: 'gre', tunnelSrc: OUTER.src, tunnelDst: OUTER.dst } as const;

function overGre(payload: Uint8Array | number[]): Uint8Array {
  return ipv4({ ...OUTER, proto: PROTO_GRE, ttl: 255 }, payload);
}

/** The outer IPv4 header of a GRE packet that carries no inner IP */
function plainGre(ipLen: number) {
  return { linkType: RAW, ipVersion: 4, ...OUTER, ipProto: PROTO_GRE, protocol: 'gre', ttl: 255, ipLen, df: 0, mf: 0, fragOffset: 0 } as const;
}

describe('GRE', () => {
  it.each([
    {
      name: 'GREv0, proto IPv4: IP 10.0.0.1 > 10.0.0.2: ICMP echo request',
      bytes: overGre(gre({ protocol: ETH_IPV4 }, PING)),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv0, key=0x1, proto MPLS unicast: MPLS (label 20, [S]) IP 10.0.0.1 > 10.0.0.2 (inner MPLS is not the frame label)',
      bytes: overGre(gre({ protocol: ETH_MPLS, key: 1 }, mpls({ label: 20, bottom: true }, PING))),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv0, proto TEB: vlan 5, IP 10.0.0.1 > 10.0.0.2 (inner VLAN is not the frame VLAN)',
      bytes: overGre(gre({ protocol: ETH_TEB }, ethernet({ type: ETH_VLAN }, vlan({ id: 5, type: ETH_IPV4 }, PING)))),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv0, seq 1, proto ERSPAN III (with platform subheader): IP 10.0.0.1 > 10.0.0.2',
      bytes: overGre(gre({ protocol: ETH_ERSPAN3, seq: 1 }, erspan3({ session: 9, platform: true }, ethernet({ type: ETH_IPV4 }, PING)))),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv0, proto ERSPAN without a sequence number is ERSPAN type I: Ethernet follows directly',
      bytes: overGre(gre({ protocol: ETH_ERSPAN2 }, ethernet({ type: ETH_IPV4 }, PING))),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv0, key=0x28, proto Cisco MetaData (GRE form, ethertype first): IP 10.0.0.1 > 10.0.0.2',
      bytes: overGre(gre({ protocol: ETH_CISCO_METADATA, key: 0x28 }, ciscoMetadataGre({ sgt: 0, type: ETH_IPV4 }, PING))),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv1, call 7, proto PPP, compressed address/control and protocol: IP 10.0.0.1 > 10.0.0.2',
      bytes: overGre(greV1({ callId: 7, seq: 1 }, ppp({ protocol: 0x21, addressControl: false, compressProtocol: true }, PING))),
      want: expected({ linkType: RAW, ...PING_FIELDS, ...GRE_TUNNEL }),
    },
    {
      name: 'GREv0, proto IPv4, keepalive with no payload: plain GRE, no tunnel',
      bytes: overGre(gre({ protocol: ETH_IPV4 })),
      want: expected(plainGre(24)),
    },
    {
      name: 'GREv1, call 7, ack 4, no payload (PPTP acknowledgement): plain GRE',
      bytes: overGre(greV1({ callId: 7, ack: 4 })),
      want: expected(plainGre(32)),
    },
    {
      name: 'GREv0, proto CDP (0x2000): the outer header stays in the address columns, no tunnel',
      bytes: overGre(gre({ protocol: 0x2000 }, filler(20))),
      want: expected({ ...plainGre(44), status: 'unsupported', detail: 'ethertype 0x2000 not decoded' }),
    },
    {
      name: 'GREv0 with the RFC 1701 routing bit',
      bytes: overGre(gre({ protocol: ETH_IPV4, routing: true, checksum: true }, PING)),
      want: expected({ ...plainGre(64), status: 'unsupported', detail: 'gre: source routing (RFC 1701) not decoded' }),
    },
    {
      name: 'GRE version 2',
      bytes: overGre([0, 2, 8, 0, ...PING]),
      want: expected({ ...plainGre(60), status: 'unsupported', detail: 'gre: version 2 not decoded' }),
    },
    {
      name: 'GREv1 without its key field',
      bytes: overGre([0, 1, 0x88, 0x0b, ...filler(8)]),
      want: expected({ ...plainGre(32), status: 'malformed', detail: 'gre: version 1 without the key field' }),
    },
    {
      name: 'GREv0 with checksum, key and sequence cut after 6 bytes',
      bytes: overGre(gre({ protocol: ETH_IPV4, checksum: true, key: 1, seq: 2 }, PING)).subarray(0, 26),
      want: expected({ ...plainGre(20 + 16 + 36), status: 'truncated', detail: 'gre: header needs 16 bytes, 6 captured' }),
    },
    {
      name: 'GREv0 carrying an IPv4 header cut at 10 bytes: tunnelled, the inner packet has only version and length',
      bytes: overGre(gre({ protocol: ETH_IPV4 }, PING)).subarray(0, 34),
      want: expected({ linkType: RAW, ipVersion: 4, ipLen: 36, protocol: 'ip', ...GRE_TUNNEL, status: 'truncated', detail: 'ipv4: header needs 20 bytes, 10 captured' }),
    },
    {
      name: 'GREv0 carrying an IPv4 header cut at 3 bytes: no tunnel, the outer header is the innermost decoded',
      bytes: overGre(gre({ protocol: ETH_IPV4 }, PING)).subarray(0, 27),
      want: expected({ ...plainGre(60), status: 'truncated', detail: 'ipv4: header needs 20 bytes, 3 captured' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(want);
  });

  it('IP 192.168.0.1 > 192.168.0.2: GREv1, call 6016, seq 4: LCP echo request stays plain GRE', () => {
    expect(decode(pptpLcpEcho())).toEqual(
      expected({
        ethDst: '00:11:22:33:44:55',
        ethSrc: '66:77:88:99:aa:bb',
        etherType: ETH_IPV4,
        ipVersion: 4,
        src: '192.168.0.1',
        dst: '192.168.0.2',
        ipProto: PROTO_GRE,
        protocol: 'gre',
        ttl: 128,
        ipLen: 20 + 12 + 12,
        df: 0,
        mf: 0,
        fragOffset: 0,
        status: 'unsupported',
        detail: 'ppp: protocol 0xc021 not decoded',
      }),
    );
  });
});

describe('UDP tunnels and IP in IP', () => {
  const VXLAN_OUTER = ipv4({ ...OUTER, proto: PROTO_UDP, ttl: 64 }, udp({ sport: 50000, dport: 4789 }, vxlan({ vni: 1 }, ethernet({ type: ETH_IPV4 }, PING))));

  it.each([
    {
      name: 'VXLAN (vni 1) inside GRE: the tunnel kind and endpoints are the outermost ones',
      bytes: ipv4({ src: '198.18.0.1', dst: '198.18.0.2', proto: PROTO_GRE }, gre({ protocol: ETH_IPV4 }, VXLAN_OUTER)),
      want: expected({ linkType: RAW, ...PING_FIELDS, tunnel: 'gre', tunnelSrc: '198.18.0.1', tunnelDst: '198.18.0.2' }),
    },
    {
      name: 'IP 203.0.113.1.3544 > 203.0.113.2.3544: Teredo bubble: IP6 2001:0:1::1 > 2001:0:1::2: no next header',
      bytes: ipv4({ ...OUTER, proto: PROTO_UDP }, udp({ sport: 3544, dport: 3544 }, teredo({}, ipv6({ src: '2001:0:1::1', dst: '2001:0:1::2', next: PROTO_NO_NEXT, hopLimit: 21 })))),
      want: expected({
        linkType: RAW,
        ipVersion: 6,
        src: v6('2001:0:1::1'),
        dst: v6('2001:0:1::2'),
        ipProto: PROTO_NO_NEXT,
        protocol: 'ip',
        ttl: 21,
        ipLen: 40,
        tunnel: 'teredo',
        tunnelSrc: OUTER.src,
        tunnelDst: OUTER.dst,
      }),
    },
    {
      name: 'IP 203.0.113.1.3544 > 203.0.113.2.53: UDP, length 12 that is not IPv6 stays UDP',
      bytes: ipv4({ ...OUTER, proto: PROTO_UDP }, udp({ sport: 3544, dport: 53 }, filler(12))),
      want: expected({ linkType: RAW, ipVersion: 4, ...OUTER, ipProto: PROTO_UDP, protocol: 'udp', ttl: 64, ipLen: 40, df: 0, mf: 0, fragOffset: 0, srcPort: 3544, dstPort: 53, payloadLen: 12 }),
    },
    {
      name: 'IP 203.0.113.1.50000 > 203.0.113.2.4789: VXLAN header cut at 4 bytes',
      bytes: VXLAN_OUTER.subarray(0, 32),
      want: expected({
        linkType: RAW,
        ipVersion: 4,
        ...OUTER,
        ipProto: PROTO_UDP,
        protocol: 'udp',
        ttl: 64,
        ipLen: VXLAN_OUTER.length,
        df: 0,
        mf: 0,
        fragOffset: 0,
        srcPort: 50000,
        dstPort: 4789,
        payloadLen: VXLAN_OUTER.length - 28,
        status: 'truncated',
        detail: 'vxlan: header needs 8 bytes, 4 captured',
      }),
    },
    {
      name: 'IP6 2001:db8::1 > 2001:db8::2: IP6 2001:db8::a > 2001:db8::b: no next header (IPv6 in IPv6)',
      bytes: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: PROTO_IPV6 }, ipv6({ src: '2001:db8::a', dst: '2001:db8::b', next: PROTO_NO_NEXT, hopLimit: 3 })),
      want: expected({
        linkType: RAW,
        ipVersion: 6,
        src: v6('2001:db8::a'),
        dst: v6('2001:db8::b'),
        ipProto: PROTO_NO_NEXT,
        protocol: 'ip',
        ttl: 3,
        ipLen: 40,
        tunnel: 'ipip',
        tunnelSrc: v6('2001:db8::1'),
        tunnelDst: v6('2001:db8::2'),
      }),
    },
    {
      name: 'IP 1.2.3.4 > 5.6.7.8: IP 9.9.9.9 > 8.8.8.8: IP 10.0.0.1 > 10.0.0.2: ICMP (two IP-in-IP levels)',
      bytes: ipv4({ src: '1.2.3.4', dst: '5.6.7.8', proto: PROTO_IPIP }, ipv4({ src: '9.9.9.9', dst: '8.8.8.8', proto: PROTO_IPIP }, PING)),
      want: expected({ linkType: RAW, ...PING_FIELDS, tunnel: 'ipip', tunnelSrc: '1.2.3.4', tunnelDst: '5.6.7.8' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes, RAW)).toEqual(want);
  });

  it('stops 30 levels of IP-in-IP at the nesting bound with the outermost header as the tunnel', () => {
    let packet: Uint8Array = PING;
    for (let i = 0; i < 30; i++) packet = ipv4({ src: `10.1.0.${i}`, dst: `10.2.0.${i}`, proto: PROTO_IPIP }, packet);
    const got = decode(packet, RAW);
    expect(got.status).toBe('unsupported');
    expect(got.detail).toBe('nesting deeper than 16 layers');
    expect(got.tunnel).toBe('ipip');
    expect(got.tunnelSrc).toBe('10.1.0.29');
    expect(got.ipVersion).toBe(4);
  });

  it('stops GRE inside GRE inside GRE... at the nesting bound', () => {
    let packet: Uint8Array = PING;
    for (let i = 0; i < 30; i++) packet = ipv4({ src: `10.1.0.${i}`, dst: `10.2.0.${i}`, proto: PROTO_GRE }, gre({ protocol: ETH_IPV4 }, packet));
    const got = decode(ethernet({ type: ETH_IPV4 }, packet));
    expect(got.status).toBe('unsupported');
    expect(got.tunnel).toBe('gre');
    expect(got.tunnelSrc).toBe('10.1.0.29');
  });

  it('keeps the ethertype of the frame, not the one inside the tunnel', () => {
    const got = decode(ethernet({ type: ETH_IPV6 }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: PROTO_GRE }, gre({ protocol: ETH_TEB }, ethernet({ type: ETH_IPV4 }, PING)))));
    expect(got.etherType).toBe(ETH_IPV6);
    expect(got.ethSrc).toBe('66:77:88:99:aa:bb');
    expect(got.tunnel).toBe('gre');
    expect(got.tunnelSrc).toBe(v6('2001:db8::1'));
    expect(got.src).toBe('10.0.0.1');
  });
});
