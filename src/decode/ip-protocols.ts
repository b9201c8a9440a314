// The one registry of IP protocol numbers (IANA) and the dispatch from an IP header to the transport or tunnel decoder.

import { decodeGre } from './gre.js';
import { decodeIcmp } from './icmp.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { MAX_LAYER_DEPTH } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';
import { decodeSctp } from './sctp.js';
import { decodeTcp } from './tcp.js';
import { enterTunnel, leaveTunnel } from './tunnel.js';
import { decodeUdp } from './udp.js';

export const IpProto = {
  hopByHop: 0,
  icmp: 1,
  igmp: 2,
  ipInIp: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  ipv6Routing: 43,
  ipv6Fragment: 44,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  ipv6NoNext: 59,
  ipv6DestOptions: 60,
  sctp: 132,
  mobility: 135,
  hip: 139,
  shim6: 140,
} as const;

/**
 * Decodes the IP payload at bytes[off, end). `end` is already limited to the declared IP length; `l4Len` is
 * the payload length the IP header declares, which may exceed what was captured.
 */
export function decodeIpPayload(proto: number, b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta, depth: number): void {
  switch (proto) {
    case IpProto.tcp:
      decodeTcp(b, off, end, l4Len, meta);
      return;
    case IpProto.udp:
      decodeUdp(b, off, end, l4Len, meta, depth);
      return;
    case IpProto.icmp:
    case IpProto.icmpv6:
      decodeIcmp(b, off, end, l4Len, meta);
      return;
    case IpProto.sctp:
      decodeSctp(b, off, end, l4Len, meta);
      return;
    case IpProto.gre:
      decodeGre(b, off, end, l4Len, meta, depth);
      return;
    case IpProto.ah:
      decodeAuthHeader(b, off, end, l4Len, meta, depth);
      return;
    case IpProto.ipInIp: {
      if (tooDeep(meta, depth)) return;
      const entered = enterTunnel(meta, TunnelKind.ipInIp);
      decodeIpv4(b, off, end, meta, depth + 1);
      leaveTunnel(meta, entered);
      return;
    }
    case IpProto.ipv6: {
      if (tooDeep(meta, depth)) return;
      // RFC 4213 calls IPv6 in IPv4 "6in4"; IPv6 in IPv6 is plain IP-in-IP (RFC 2473)
      const entered = enterTunnel(meta, meta.ipVersion === 4 ? TunnelKind.sixInFour : TunnelKind.ipInIp);
      decodeIpv6(b, off, end, meta, depth + 1);
      leaveTunnel(meta, entered);
      return;
    }
    default:
    // IGMP, ESP, OSPF, ...: the protocol number is the whole story
  }
}

function tooDeep(meta: PacketMeta, depth: number): boolean {
  if (depth < MAX_LAYER_DEPTH) return false;
  meta.flag(DecodeStatus.unsupported, `nesting deeper than ${MAX_LAYER_DEPTH} layers`);
  return true;
}

/**
 * IPv4's Authentication Header (RFC 4302) authenticates but does not hide the transport header, so it is
 * skipped by its length like an IPv6 extension header; ipProto then names what follows it.
 */
function decodeAuthHeader(b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta, depth: number): void {
  if (end - off < 2) {
    meta.flag(DecodeStatus.truncated, `ah: header needs 12 bytes, ${end - off} captured`);
    return;
  }
  // RFC 4302 section 2.2: payload length in 32-bit words, minus 2
  const ahLen = (b[off + 1] + 2) << 2;
  if (ahLen > l4Len) {
    meta.flag(DecodeStatus.malformed, `ah: header length ${ahLen} exceeds the ${l4Len} bytes the IP header leaves`);
    return;
  }
  if (end - off < ahLen) {
    meta.flag(DecodeStatus.truncated, `ah: header needs ${ahLen} bytes, ${end - off} captured`);
    return;
  }
  const next = b[off];
  meta.ipProto = next;
  if (next === IpProto.ah) return; // AH after AH is nonsense; stop rather than recurse
  decodeIpPayload(next, b, off + ahLen, end, l4Len - ahLen, meta, depth);
}
