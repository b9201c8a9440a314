// ICMP (RFC 792) and ICMPv6 (RFC 4443), which share their first 8 bytes: type, code, checksum, 4 bytes of body.

import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const ICMP_HEADER_LEN = 8;

/**
 * Error messages quote the offending IP header; it is deliberately not decoded, so the address and port
 * columns keep the error's own sender and receiver.
 */
export function decodeIcmp(b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta): void {
  const avail = end - off;
  if (avail >= 2 && l4Len >= 2) {
    meta.icmpType = b[off];
    meta.icmpCode = b[off + 1];
  }
  if (l4Len < ICMP_HEADER_LEN) {
    meta.flag(DecodeStatus.malformed, `icmp: header needs 8 bytes, the IP header leaves ${l4Len}`);
    return;
  }
  if (avail < ICMP_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `icmp: header needs 8 bytes, ${avail < 0 ? 0 : avail} captured`);
    return;
  }
  meta.payloadLen = l4Len - ICMP_HEADER_LEN;
}
