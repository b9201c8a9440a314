// SCTP (RFC 9260): only the 12-byte common header is read, for the ports; chunks are left alone.

import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const SCTP_COMMON_HEADER_LEN = 12;

export function decodeSctp(b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta): void {
  const avail = end - off;
  if (avail >= 4 && l4Len >= 4) {
    meta.srcPort = (b[off] << 8) | b[off + 1];
    meta.dstPort = (b[off + 2] << 8) | b[off + 3];
  }
  if (l4Len < SCTP_COMMON_HEADER_LEN) {
    meta.flag(DecodeStatus.malformed, `sctp: common header needs 12 bytes, the IP header leaves ${l4Len}`);
    return;
  }
  if (avail < SCTP_COMMON_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `sctp: common header needs 12 bytes, ${avail < 0 ? 0 : avail} captured`);
    return;
  }
  // the chunks after the common header are SCTP's payload
  meta.payloadLen = l4Len - SCTP_COMMON_HEADER_LEN;
}
