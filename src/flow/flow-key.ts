// The direction-free flow key: both endpoints (address, port) in a canonical order, the protocol, the
// IP version and the outermost VLAN id, packed into ten 32-bit words so the flow table compares and hashes
// integers, never strings. A packet and its reply build the same words; `senderSide` says which endpoint
// sent this one (0: endpoint A, the smaller (address, port) pair; 1: endpoint B).
//
// Ports: TCP, UDP and SCTP ports; 0 for every other protocol, and for non-first IP fragments (they carry
// no transport header, and netml does not reassemble). ICMP and ICMPv6 have no ports, so the port word
// holds what pairs their messages instead, the same from either side:
//   - query messages (echo 8/0, timestamp 13/14, information 15/16, address mask 17/18; ICMPv6 echo
//     128/129): the request type and the identifier, so a request and its reply share a flow and two
//     pings running at once between the same hosts are two flows (as Linux conntrack keys them);
//   - every other message (unreachable, time exceeded, neighbour discovery...): its type and code, so all
//     messages of one kind between two hosts form one flow (Zeek keys ICMP by type and code too).

import type { PacketMeta } from '../decode/packet-meta.js';

export const KEY_WORDS = 10;
/** word 8: the two ports (A << 16 | B), or the ICMP pairing value */
export const KEY_PORT_WORD = 8;
/** word 9: bit 31 IPv6, bits 8..20 VLAN id + 1 (0 = untagged), bits 0..7 IP protocol */
export const KEY_META_WORD = 9;

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
/** marks the ICMP pairing value of a query message (the others are type << 8 | code, below 2^16) */
const ICMP_QUERY_BIT = 0x80000000;

/** request type of each ICMP query/response type, -1 for types that are not queries (RFC 792, RFC 950) */
const ICMP4_QUERY = new Int16Array(256).fill(-1);
for (const [request, reply] of [
  [8, 0],
  [13, 14],
  [15, 16],
  [17, 18],
]) {
  ICMP4_QUERY[request] = request;
  ICMP4_QUERY[reply] = request;
}
/** ICMPv6 echo request 128 / reply 129 (RFC 4443) */
const ICMP6_QUERY = new Int16Array(256).fill(-1);
ICMP6_QUERY[128] = 128;
ICMP6_QUERY[129] = 128;

export class FlowKeyBuilder {
  readonly words = new Uint32Array(KEY_WORDS);
  hash = 0;
  /** 0: the packet's source is endpoint A of the key; 1: it is endpoint B */
  senderSide = 0;

  /** Builds the key of a decoded IP packet (meta.ipVersion 4 or 6, addresses present). */
  build(meta: PacketMeta): void {
    const b = meta.bytes;
    const w = this.words;
    const s = meta.srcAddrOffset;
    const d = meta.dstAddrOffset;
    const v6 = meta.ipVersion === 6;
    let s0 = ((b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3]) >>> 0;
    let d0 = ((b[d] << 24) | (b[d + 1] << 16) | (b[d + 2] << 8) | b[d + 3]) >>> 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    if (v6) {
      s1 = ((b[s + 4] << 24) | (b[s + 5] << 16) | (b[s + 6] << 8) | b[s + 7]) >>> 0;
      s2 = ((b[s + 8] << 24) | (b[s + 9] << 16) | (b[s + 10] << 8) | b[s + 11]) >>> 0;
      s3 = ((b[s + 12] << 24) | (b[s + 13] << 16) | (b[s + 14] << 8) | b[s + 15]) >>> 0;
      d1 = ((b[d + 4] << 24) | (b[d + 5] << 16) | (b[d + 6] << 8) | b[d + 7]) >>> 0;
      d2 = ((b[d + 8] << 24) | (b[d + 9] << 16) | (b[d + 10] << 8) | b[d + 11]) >>> 0;
      d3 = ((b[d + 12] << 24) | (b[d + 13] << 16) | (b[d + 14] << 8) | b[d + 15]) >>> 0;
    }
    const proto = meta.ipProto & 0xff;
    let sp = 0;
    let dp = 0;
    let portWord = -1;
    if (proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP) {
      if (meta.srcPort >= 0) {
        sp = meta.srcPort;
        dp = meta.dstPort;
      }
    } else if (proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) {
      portWord = icmpPairing(meta, v6, proto === IPPROTO_ICMPV6);
    }

    // canonical order: compare (address, port) of source and destination as unsigned numbers
    let swap: boolean;
    if (s0 !== d0) swap = s0 > d0;
    else if (s1 !== d1) swap = s1 > d1;
    else if (s2 !== d2) swap = s2 > d2;
    else if (s3 !== d3) swap = s3 > d3;
    else swap = sp > dp;
    if (swap) {
      let t = s0;
      s0 = d0;
      d0 = t;
      t = s1;
      s1 = d1;
      d1 = t;
      t = s2;
      s2 = d2;
      d2 = t;
      t = s3;
      s3 = d3;
      d3 = t;
      t = sp;
      sp = dp;
      dp = t;
    }
    this.senderSide = swap ? 1 : 0;
    w[0] = s0;
    w[1] = s1;
    w[2] = s2;
    w[3] = s3;
    w[4] = d0;
    w[5] = d1;
    w[6] = d2;
    w[7] = d3;
    const w8 = portWord >= 0 ? portWord : ((sp << 16) | dp) >>> 0;
    const vlan = meta.vlanId >= 0 ? meta.vlanId + 1 : 0;
    const w9 = ((v6 ? 0x80000000 : 0) | (vlan << 8) | proto) >>> 0;
    w[8] = w8;
    w[9] = w9;

    // murmur3-style mixing of the ten words (the table masks the low bits, so they must all vary)
    let h = 0x9e3779b9 ^ w9;
    h = Math.imul(h ^ s0, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ d0, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h ^ w8, 0x85ebca6b);
    h ^= h >>> 13;
    if (v6) {
      h = Math.imul(h ^ s1, 0xc2b2ae35);
      h ^= h >>> 16;
      h = Math.imul(h ^ s2, 0xc2b2ae35);
      h ^= h >>> 16;
      h = Math.imul(h ^ s3, 0xc2b2ae35);
      h ^= h >>> 16;
      h = Math.imul(h ^ d1, 0xc2b2ae35);
      h ^= h >>> 16;
      h = Math.imul(h ^ d2, 0xc2b2ae35);
      h ^= h >>> 16;
      h = Math.imul(h ^ d3, 0xc2b2ae35);
      h ^= h >>> 16;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    this.hash = (h ^ (h >>> 16)) >>> 0;
  }
}

/**
 * The ICMP pairing value (see the file comment). The identifier sits 4 bytes into the ICMP header, which
 * starts where the declared IP packet ends minus the ICMP message length (payload + 8-byte header): that
 * also skips IPv4 options and IPv6 extension headers without knowing them.
 */
function icmpPairing(meta: PacketMeta, v6: boolean, icmpv6: boolean): number {
  const type = meta.icmpType;
  if (type < 0) return 0xffff; // ICMP header cut off: one flow per host pair for such packets
  const request = icmpv6 ? ICMP6_QUERY[type] : ICMP4_QUERY[type];
  if (request >= 0 && meta.payloadLen >= 0 && meta.ipLen >= 0) {
    const ipStart = meta.srcAddrOffset - (v6 ? 8 : 12);
    const icmpStart = ipStart + meta.ipLen - meta.payloadLen - 8;
    const b = meta.bytes;
    if (icmpStart >= 0 && icmpStart + 8 <= b.length) {
      const id = (b[icmpStart + 4] << 8) | b[icmpStart + 5];
      return (ICMP_QUERY_BIT | (request << 16) | id) >>> 0;
    }
  }
  return (type << 8) | (meta.icmpCode & 0xff);
}

/** True when the key's port word holds an ICMP query identifier (bit 31 set). */
export function isIcmpQueryWord(portWord: number): boolean {
  return (portWord & ICMP_QUERY_BIT) !== 0;
}
