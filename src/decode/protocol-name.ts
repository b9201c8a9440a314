// The `protocol` CSV column: one constant word for what the packet is, so writing a row allocates nothing.

import { EtherType } from './ethertypes.js';
import { IpProto } from './ip-protocols.js';
import type { PacketMeta } from './packet-meta.js';

export type ProtocolName = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'sctp' | 'arp' | 'gre' | 'esp' | 'ah' | 'igmp' | 'ip' | 'other';

export function protocolName(meta: PacketMeta): ProtocolName {
  if (meta.ipVersion === 0) {
    return meta.arpOp !== -1 || meta.etherType === EtherType.arp || meta.etherType === EtherType.rarp ? 'arp' : 'other';
  }
  switch (meta.ipProto) {
    case IpProto.tcp:
      return 'tcp';
    case IpProto.udp:
      return 'udp';
    case IpProto.icmp:
      return 'icmp';
    case IpProto.icmpv6:
      return 'icmpv6';
    case IpProto.sctp:
      return 'sctp';
    case IpProto.gre:
      return 'gre';
    case IpProto.esp:
      return 'esp';
    case IpProto.ah:
      return 'ah';
    case IpProto.igmp:
      return 'igmp';
    default:
      return 'ip';
  }
}
