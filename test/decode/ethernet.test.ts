import { describe, expect, it } from 'vitest';
import {
  arp,
  ciscoMetadata,
  ETH_ARP,
  ETH_CISCO_METADATA,
  ETH_IPV4,
  ETH_IPV6,
  ETH_MPLS,
  ETH_PPPOE_DISCOVERY,
  ETH_PPPOE_SESSION,
  ETH_QINQ,
  ETH_QINQ_LEGACY,
  ETH_RARP,
  ETH_VLAN,
  ETH_VNTAG,
  ethernet,
  filler,
  icmp,
  ipv4,
  ipv6,
  llcSnap,
  mpls,
  pppoeSession,
  PROTO_ICMP,
  PROTO_UDP,
  udp,
  vlan,
  vnTag,
} from '../helpers/packet-builder.js';
import { decode, expected, v6 } from './decoded-view.js';
import { MAC_A, MAC_B } from './fixtures.js';

const ETH = { ethDst: MAC_A, ethSrc: MAC_B } as const;

/** IP 10.0.0.1.5353 > 224.0.0.251.5353: UDP, length 4 */
const MDNS = ipv4({ src: '10.0.0.1', dst: '224.0.0.251', proto: PROTO_UDP, ttl: 255 }, udp({ sport: 5353, dport: 5353 }, filler(4)));
const MDNS_FIELDS = {
  ipVersion: 4,
  src: '10.0.0.1',
  dst: '224.0.0.251',
  ipProto: PROTO_UDP,
  protocol: 'udp',
  ttl: 255,
  ipLen: 32,
  df: 0,
  mf: 0,
  fragOffset: 0,
  srcPort: 5353,
  dstPort: 5353,
  payloadLen: 4,
} as const;

/** IP6 2001:db8::1.5353 > ff02::fb.5353: UDP, length 4 */
const MDNS6 = ipv6({ src: '2001:db8::1', dst: 'ff02::fb', next: PROTO_UDP, hopLimit: 255 }, udp({ sport: 5353, dport: 5353 }, filler(4)));
const MDNS6_FIELDS = {
  ipVersion: 6,
  src: v6('2001:db8::1'),
  dst: v6('ff02::fb'),
  ipProto: PROTO_UDP,
  protocol: 'udp',
  ttl: 255,
  ipLen: 52,
  srcPort: 5353,
  dstPort: 5353,
  payloadLen: 4,
} as const;

describe('Ethernet, VLAN and the other shims before the network layer', () => {
  it.each([
    {
      name: 'vlan 100, p 3, ethertype IPv4, IP 10.0.0.1.5353 > 224.0.0.251.5353: UDP, length 4',
      bytes: ethernet({ type: ETH_VLAN }, vlan({ id: 100, pcp: 3, type: ETH_IPV4 }, MDNS)),
      want: expected({ ...ETH, etherType: ETH_IPV4, vlanId: 100, vlanDepth: 1, ...MDNS_FIELDS }),
    },
    {
      name: 'vlan 10, vlan 20, vlan 30 (0x9100, 0x88a8, 0x8100), ethertype IPv4: three tags counted, outer two kept',
      bytes: ethernet({ type: ETH_QINQ_LEGACY }, vlan({ id: 10, type: ETH_QINQ }, vlan({ id: 20, type: ETH_VLAN }, vlan({ id: 30, type: ETH_IPV4 }, MDNS)))),
      want: expected({ ...ETH, etherType: ETH_IPV4, vlanId: 10, vlanInnerId: 20, vlanDepth: 3, ...MDNS_FIELDS }),
    },
    {
      name: 'vlan 4095 ethertype IPv6, IP6 2001:db8::1.5353 > ff02::fb.5353: UDP, length 4',
      bytes: ethernet({ type: ETH_VLAN }, vlan({ id: 4095, pcp: 7, type: ETH_IPV6 }, MDNS6)),
      want: expected({ ...ETH, etherType: ETH_IPV6, vlanId: 4095, vlanDepth: 1, ...MDNS6_FIELDS }),
    },
    {
      name: '802.3, length 40: LLC, dsap SNAP, ctrl 0x03, oui Ethertype (0x000000), ethertype IPv4: IP 10.0.0.1.5353 > 224.0.0.251.5353',
      bytes: ethernet({ type: 40 }, llcSnap({ type: ETH_IPV4 }, MDNS)),
      want: expected({ ...ETH, etherType: ETH_IPV4, ...MDNS_FIELDS }),
    },
    {
      name: 'VN-Tag, vlan 11, ethertype IPv4, IP 10.0.0.1.5353 > 224.0.0.251.5353',
      bytes: ethernet({ type: ETH_VNTAG }, vnTag({ type: ETH_VLAN }, vlan({ id: 11, type: ETH_IPV4 }, MDNS))),
      want: expected({ ...ETH, etherType: ETH_IPV4, vlanId: 11, vlanDepth: 1, ...MDNS_FIELDS }),
    },
    {
      name: 'Cisco MetaData SGT 16, ethertype IPv4, IP 10.0.0.1.5353 > 224.0.0.251.5353',
      bytes: ethernet({ type: ETH_CISCO_METADATA }, ciscoMetadata({ sgt: 16, type: ETH_IPV4 }, MDNS)),
      want: expected({ ...ETH, etherType: ETH_IPV4, ...MDNS_FIELDS }),
    },
    {
      name: 'MPLS (label 42, [S]) IP6 2001:db8::1.5353 > ff02::fb.5353: the first nibble says IPv6',
      bytes: ethernet({ type: ETH_MPLS }, mpls({ label: 42, bottom: true }, MDNS6)),
      want: expected({ ...ETH, etherType: ETH_IPV6, mplsLabel: 42, ...MDNS6_FIELDS }),
    },
    {
      name: 'vlan 7, MPLS (label 1048575, [S]), IP 10.0.0.1.5353 > 224.0.0.251.5353',
      bytes: ethernet({ type: ETH_VLAN }, vlan({ id: 7, type: ETH_MPLS }, mpls({ label: 1048575, bottom: true }, MDNS))),
      want: expected({ ...ETH, etherType: ETH_IPV4, vlanId: 7, vlanDepth: 1, mplsLabel: 1048575, ...MDNS_FIELDS }),
    },
    {
      name: 'PPPoE [ses 0x1] IP6 2001:db8::1.5353 > ff02::fb.5353 (PPP protocol 0x0057)',
      bytes: ethernet({ type: ETH_PPPOE_SESSION }, pppoeSession({ pppProtocol: 0x0057 }, MDNS6)),
      want: expected({ ...ETH, etherType: ETH_IPV6, ...MDNS6_FIELDS }),
    },
    {
      name: 'ARP, Reply 192.168.0.2 is-at 00:11:22:33:44:55, length 28',
      bytes: ethernet({ type: ETH_ARP }, arp({ op: 2, senderMac: MAC_A, senderIp: '192.168.0.2', targetMac: MAC_B, targetIp: '192.168.0.1' })),
      want: expected({ ...ETH, etherType: ETH_ARP, arpOp: 2, src: '192.168.0.2', dst: '192.168.0.1', protocol: 'arp' }),
    },
    {
      name: 'RARP, Reverse Request who-is 66:77:88:99:aa:bb tell 66:77:88:99:aa:bb (same format as ARP)',
      bytes: ethernet({ type: ETH_RARP }, arp({ op: 3, senderIp: '0.0.0.0', targetIp: '0.0.0.0' })),
      want: expected({ ...ETH, etherType: ETH_RARP, arpOp: 3, src: '0.0.0.0', dst: '0.0.0.0', protocol: 'arp' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes)).toEqual(want);
  });
});

describe('frames whose network layer is not decoded', () => {
  it.each([
    {
      name: '802.3, length 38: LLC, dsap STP (0x42), ssap STP, ctrl 0x03: STP 802.1d, Config',
      bytes: ethernet({ dst: '01:80:c2:00:00:00', type: 38 }, [0x42, 0x42, 0x03, ...filler(35)]),
      want: expected({ ethDst: '01:80:c2:00:00:00', ethSrc: MAC_B, status: 'unsupported', detail: 'llc: dsap 0x42 not decoded' }),
    },
    {
      name: '802.3: LLC, dsap SNAP, oui Cisco (0x00000c), pid CDP (0x2000)',
      bytes: ethernet({ type: 60 }, llcSnap({ oui: 0x00000c, type: 0x2000 }, filler(20))),
      want: expected({ ...ETH, status: 'unsupported', detail: 'snap: oui 00000c protocol 0x2000 not decoded' }),
    },
    {
      name: 'LLDP (0x88cc): the ethertype is kept, the rest is not decoded',
      bytes: ethernet({ dst: '01:80:c2:00:00:0e', type: 0x88cc }, filler(30)),
      want: expected({ ethDst: '01:80:c2:00:00:0e', ethSrc: MAC_B, etherType: 0x88cc, status: 'unsupported', detail: 'ethertype 0x88cc not decoded' }),
    },
    {
      name: 'PPPoE PADI (discovery, 0x8863)',
      bytes: ethernet({ dst: 'ff:ff:ff:ff:ff:ff', type: ETH_PPPOE_DISCOVERY }, [0x11, 0x09, 0, 0, 0, 4, 1, 1, 0, 0]),
      want: expected({ ethDst: 'ff:ff:ff:ff:ff:ff', ethSrc: MAC_B, etherType: ETH_PPPOE_DISCOVERY, status: 'unsupported', detail: 'ethertype 0x8863 not decoded' }),
    },
    {
      name: 'PPPoE [ses 0x1] LCP (0xc021), Echo-Request',
      bytes: ethernet({ type: ETH_PPPOE_SESSION }, pppoeSession({ pppProtocol: 0xc021 }, [9, 1, 0, 8, 0, 0, 0, 0])),
      want: expected({ ...ETH, status: 'unsupported', detail: 'ppp: protocol 0xc021 not decoded' }),
    },
    {
      name: 'MPLS (label 100, [S]) followed by a pseudowire control word',
      bytes: ethernet({ type: ETH_MPLS }, mpls({ label: 100, bottom: true }, [0, 0, 0, 0, ...filler(20)])),
      want: expected({ ...ETH, mplsLabel: 100, status: 'unsupported', detail: 'mpls: payload starting with nibble 0 is not IP (pseudowire?)' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes)).toEqual(want);
  });
});

describe('cut and impossible link headers', () => {
  it.each([
    {
      name: 'a 10-byte frame cannot hold the Ethernet header',
      bytes: ethernet({ type: ETH_IPV4 }).subarray(0, 10),
      want: expected({ status: 'truncated', detail: 'ethernet: header needs 14 bytes, 10 captured' }),
    },
    {
      name: 'a VLAN tag cut after 2 bytes',
      bytes: ethernet({ type: ETH_VLAN }, [0, 100]),
      want: expected({ ...ETH, status: 'truncated', detail: 'vlan: tag needs 4 bytes, 2 captured' }),
    },
    {
      name: 'an MPLS stack that never sets bottom-of-stack runs out of bytes',
      bytes: ethernet({ type: ETH_MPLS }, mpls({ label: 5, bottom: false }, mpls({ label: 6, bottom: false }))),
      want: expected({ ...ETH, mplsLabel: 5, status: 'truncated', detail: 'mpls: label needs 4 bytes, 0 captured' }),
    },
    {
      name: 'a PPPoE header with version/type 0x22',
      bytes: ethernet({ type: ETH_PPPOE_SESSION }, [0x22, 0, 0, 1, 0, 2, 0, 0x21]),
      want: expected({ ...ETH, status: 'malformed', detail: 'pppoe: version/type 0x22, expected 0x11' }),
    },
    {
      name: 'an ethertype of IPv4 in front of an IPv6 header',
      bytes: ethernet({ type: ETH_IPV4 }, MDNS6),
      want: expected({ ...ETH, etherType: ETH_IPV4, status: 'malformed', detail: 'ipv4: version field is 6, expected 4' }),
    },
  ])('$name', ({ bytes, want }) => {
    expect(decode(bytes)).toEqual(want);
  });

  it('stops a frame made of nothing but alternating VN-Tag and VLAN shims at the nesting bound', () => {
    const shims: number[] = [];
    for (let i = 0; i < 40; i++) shims.push(...vnTag({ type: ETH_VLAN }), ...vlan({ id: i, type: ETH_VNTAG }));
    const got = decode(ethernet({ type: ETH_VNTAG }, shims));
    expect(got.status).toBe('unsupported');
    expect(got.detail).toBe('nesting deeper than 16 layers');
    expect(got.vlanId).toBe(0);
    expect(got.vlanInnerId).toBe(1);
  });

  it('walks thousands of stacked VLAN tags without recursion', () => {
    const tags: number[] = [];
    for (let i = 0; i < 5000; i++) tags.push(...vlan({ id: i % 4096, type: ETH_VLAN }));
    const got = decode(ethernet({ type: ETH_VLAN }, [...tags, ...vlan({ id: 9, type: ETH_IPV4 }, MDNS)]));
    expect(got).toEqual(expected({ ...ETH, etherType: ETH_IPV4, vlanId: 0, vlanInnerId: 1, vlanDepth: 5001, ...MDNS_FIELDS }));
  });

  it('reads an ICMP echo behind a QinQ and an MPLS label alike', () => {
    const ping = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: PROTO_ICMP }, icmp({ type: 8 }, filler(8)));
    const a = decode(ethernet({ type: ETH_QINQ }, vlan({ id: 1, type: ETH_VLAN }, vlan({ id: 2, type: ETH_IPV4 }, ping))));
    const b = decode(ethernet({ type: ETH_MPLS }, mpls({ label: 3, bottom: true }, ping)));
    expect({ ...a, vlanId: -1, vlanInnerId: -1, vlanDepth: 0 }).toEqual({ ...b, mplsLabel: -1 });
  });
});
