import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/decode/link-types.js';
import { PacketMeta } from '../../src/decode/packet-meta.js';
import { protocolName } from '../../src/decode/protocol-name.js';
import {
  ah,
  arp,
  ETH_ARP,
  ETH_IPV4,
  esp,
  ethernet,
  filler,
  gre,
  icmp,
  ipv4,
  ipv6,
  PROTO_AH,
  PROTO_ESP,
  PROTO_GRE,
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_IGMP,
  PROTO_SCTP,
  PROTO_TCP,
  PROTO_UDP,
  sctp,
  tcp,
  udp,
} from '../helpers/packet-builder.js';
import { decode } from './decoded-view.js';

const A = { src: '10.0.0.1', dst: '10.0.0.2' } as const;

describe('protocolName, the `protocol` column', () => {
  it.each([
    { want: 'tcp', bytes: ipv4({ ...A, proto: PROTO_TCP }, tcp({ sport: 1, dport: 2 })) },
    { want: 'udp', bytes: ipv4({ ...A, proto: PROTO_UDP }, udp({ sport: 1, dport: 2 })) },
    { want: 'icmp', bytes: ipv4({ ...A, proto: PROTO_ICMP }, icmp({ type: 8 })) },
    { want: 'icmpv6', bytes: ipv6({ src: '::1', dst: '::2', next: PROTO_ICMPV6 }, icmp({ type: 128 })) },
    { want: 'sctp', bytes: ipv4({ ...A, proto: PROTO_SCTP }, sctp({ sport: 1, dport: 2 })) },
    { want: 'gre', bytes: ipv4({ ...A, proto: PROTO_GRE }, gre({ protocol: ETH_IPV4 })) },
    { want: 'esp', bytes: ipv4({ ...A, proto: PROTO_ESP }, esp({ spi: 1 }, filler(16))) },
    { want: 'ah', bytes: ipv4({ ...A, proto: PROTO_AH }, ah({ next: PROTO_AH })) },
    { want: 'igmp', bytes: ipv4({ ...A, proto: PROTO_IGMP }, filler(8)) },
    { want: 'ip', bytes: ipv4({ ...A, proto: 89 }, filler(8)) },
    { want: 'tcp', bytes: ipv4({ ...A, proto: PROTO_TCP }, tcp({ sport: 1, dport: 2 })).subarray(0, 20) },
    { want: 'ip', bytes: ipv6({ src: '::1', dst: '::2', next: 0 }, filler(8)).subarray(0, 42) },
  ])('names $want (the IP protocol number decides, even when the transport header is cut)', ({ want, bytes }) => {
    expect(decode(bytes, LinkType.raw).protocol).toBe(want);
  });

  it.each([
    { want: 'arp', bytes: ethernet({ type: ETH_ARP }, arp({ op: 1, senderIp: '10.0.0.1', targetIp: '10.0.0.2' })) },
    { want: 'arp', bytes: ethernet({ type: ETH_ARP }, [0, 1]) },
    { want: 'other', bytes: ethernet({ type: 0x88cc }, filler(20)) },
    { want: 'other', bytes: new Uint8Array(5) },
  ])('names $want without IP', ({ want, bytes }) => {
    expect(decode(bytes).protocol).toBe(want);
  });

  it('returns one of the constant names for a fresh record', () => {
    expect(protocolName(new PacketMeta())).toBe('other');
  });
});
