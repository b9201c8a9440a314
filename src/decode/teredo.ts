// Teredo (RFC 4380): IPv6 over UDP port 3544, optionally behind authentication and origin indication headers.

import { decodeIpv6 } from './ipv6.js';
import { MAX_LAYER_DEPTH } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';
import { enterTunnel, leaveTunnel } from './tunnel.js';

export const TEREDO_PORT = 3544;
const IPV6_HEADER_LEN = 40;
/** RFC 4380 section 5.1.1: indicator 0x0001, id len, auth len, client id, auth value, 8-byte nonce, confirmation */
const AUTH_FIXED_LEN = 13;
/** RFC 4380 section 5.1.1: indicator 0x0000, obfuscated port, obfuscated IPv4 address */
const ORIGIN_LEN = 8;

/** `payloadLen` is the UDP payload length the UDP header declares. */
export function decodeTeredo(b: Uint8Array, off: number, end: number, payloadLen: number, meta: PacketMeta, depth: number): void {
  let p = off;
  const declaredEnd = off + payloadLen;
  if (end - p >= 2 && b[p] === 0 && b[p + 1] === 1) {
    if (end - p < 4) {
      meta.flag(DecodeStatus.truncated, `teredo: authentication header needs ${AUTH_FIXED_LEN} bytes, ${end - p} captured`);
      return;
    }
    const authLen = AUTH_FIXED_LEN + b[p + 2] + b[p + 3];
    if (end - p < authLen) {
      meta.flag(DecodeStatus.truncated, `teredo: authentication header needs ${authLen} bytes, ${end - p} captured`);
      return;
    }
    p += authLen;
  }
  if (end - p >= 2 && b[p] === 0 && b[p + 1] === 0) {
    if (end - p < ORIGIN_LEN) {
      meta.flag(DecodeStatus.truncated, `teredo: origin indication needs 8 bytes, ${end - p} captured`);
      return;
    }
    p += ORIGIN_LEN;
  }
  // Only an IPv6 header that fits the datagram makes this Teredo rather than other traffic on port 3544.
  if (p >= end || b[p] >> 4 !== 6 || declaredEnd - p < IPV6_HEADER_LEN) return;
  if (depth >= MAX_LAYER_DEPTH) {
    meta.flag(DecodeStatus.unsupported, `nesting deeper than ${MAX_LAYER_DEPTH} layers`);
    return;
  }
  const entered = enterTunnel(meta, TunnelKind.teredo);
  decodeIpv6(b, p, end, meta, depth + 1);
  leaveTunnel(meta, entered);
}
