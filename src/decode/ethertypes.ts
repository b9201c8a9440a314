// The one registry of ethertypes (IEEE 802 / IANA numbers) and the dispatch every ethertype-carrying layer goes through.

import { decodeArp } from './arp.js';
import { decodeCiscoMetadata } from './cisco-metadata.js';
import { decodeLlc } from './llc.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';
import { decodePppoeSession } from './pppoe.js';
import { decodeVlan } from './vlan.js';
import { decodeVnTag } from './vntag.js';

export const EtherType = {
  ipv4: 0x0800,
  arp: 0x0806,
  /** Reverse ARP (RFC 903) has ARP's format */
  rarp: 0x8035,
  /** 802.1Q customer VLAN tag */
  vlan: 0x8100,
  /** 802.1ad service VLAN tag (QinQ outer) */
  qinq: 0x88a8,
  /** pre-802.1ad QinQ tag used by Cisco/Juniper gear */
  qinqLegacy: 0x9100,
  /** 0x9200 and 0x9300 were used the same way as 0x9100 by some vendors */
  qinqLegacy2: 0x9200,
  qinqLegacy3: 0x9300,
  ipv6: 0x86dd,
  mplsUnicast: 0x8847,
  mplsMulticast: 0x8848,
  pppoeDiscovery: 0x8863,
  pppoeSession: 0x8864,
  ppp: 0x880b,
  /** Transparent Ethernet Bridging: an Ethernet frame inside GRE (RFC 1701) */
  transparentEthernet: 0x6558,
  erspan2: 0x88be,
  erspan3: 0x22eb,
  ciscoMetadata: 0x8909,
  /** Cisco VN-Tag (802.1Qbh precursor) */
  vnTag: 0x8926,
  /** 802.1BR E-Tag */
  eTag: 0x893f,
} as const;

/** Ethernet's type/length field: values up to 1500 are an 802.3 length followed by LLC (IEEE 802.3 clause 3.2.6). */
export const MAX_8023_LENGTH = 1500;

/** Encapsulations any frame may nest (VLAN, MPLS, tunnels...); deeper is a crafted packet, not traffic. */
export const MAX_LAYER_DEPTH = 16;

/**
 * Decodes bytes[off, end) as the protocol `type` names. `depth` counts the layers already crossed so a
 * packet that nests shims or tunnels endlessly is cut off.
 */
export function decodeByEtherType(type: number, b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  if (depth > MAX_LAYER_DEPTH) {
    meta.flag(DecodeStatus.unsupported, `nesting deeper than ${MAX_LAYER_DEPTH} layers`);
    return;
  }
  switch (type) {
    case EtherType.ipv4:
      noteNetworkEtherType(meta, type);
      decodeIpv4(b, off, end, meta, depth);
      return;
    case EtherType.ipv6:
      noteNetworkEtherType(meta, type);
      decodeIpv6(b, off, end, meta, depth);
      return;
    case EtherType.arp:
    case EtherType.rarp:
      noteNetworkEtherType(meta, type);
      decodeArp(b, off, end, meta);
      return;
    case EtherType.vlan:
    case EtherType.qinq:
    case EtherType.qinqLegacy:
    case EtherType.qinqLegacy2:
    case EtherType.qinqLegacy3:
      decodeVlan(b, off, end, meta, depth);
      return;
    case EtherType.mplsUnicast:
    case EtherType.mplsMulticast:
      decodeMpls(b, off, end, meta, depth);
      return;
    case EtherType.pppoeSession:
      decodePppoeSession(b, off, end, meta, depth);
      return;
    case EtherType.vnTag:
      decodeVnTag(b, off, end, meta, depth, 4);
      return;
    case EtherType.eTag:
      decodeVnTag(b, off, end, meta, depth, 6);
      return;
    case EtherType.ciscoMetadata:
      decodeCiscoMetadata(b, off, end, meta, depth);
      return;
    default:
      if (type <= MAX_8023_LENGTH) {
        decodeLlc(b, off, end, meta, depth);
        return;
      }
      noteNetworkEtherType(meta, type);
      meta.flag(DecodeStatus.unsupported, `ethertype 0x${hex4(type)} not decoded`);
  }
}

/** The ethertype column describes the frame's own network layer, so tunnelled inner frames leave it alone. */
function noteNetworkEtherType(meta: PacketMeta, type: number): void {
  if (meta.etherType === -1 && meta.tunnel === TunnelKind.none) meta.etherType = type;
}

/** Lower-case 4-digit hex for status details (bad path only). */
export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
