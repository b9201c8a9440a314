// TCP (RFC 9293): ports, sequence numbers, the 12 flag bits (RFC 3168 CWR/ECE, RFC 3540 NS), window and option length.

import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const TCP_MIN_HEADER_LEN = 20;

export function decodeTcp(b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta): void {
  const avail = end - off;
  if (avail < TCP_MIN_HEADER_LEN || l4Len < TCP_MIN_HEADER_LEN) {
    // the ports alone still say which conversation a cut segment belongs to
    if (avail >= 4 && l4Len >= 4) {
      meta.srcPort = (b[off] << 8) | b[off + 1];
      meta.dstPort = (b[off + 2] << 8) | b[off + 3];
    }
    if (l4Len < TCP_MIN_HEADER_LEN) meta.flag(DecodeStatus.malformed, `tcp: header needs 20 bytes, the IP header leaves ${l4Len}`);
    else meta.flag(DecodeStatus.truncated, `tcp: header needs 20 bytes, ${avail < 0 ? 0 : avail} captured`);
    return;
  }
  meta.srcPort = (b[off] << 8) | b[off + 1];
  meta.dstPort = (b[off + 2] << 8) | b[off + 3];
  meta.tcpSeq = b[off + 4] * 16777216 + ((b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]);
  meta.tcpAck = b[off + 8] * 16777216 + ((b[off + 9] << 16) | (b[off + 10] << 8) | b[off + 11]);
  const offsetFlags = (b[off + 12] << 8) | b[off + 13];
  meta.tcpFlags = offsetFlags & 0x0fff;
  meta.tcpWindow = (b[off + 14] << 8) | b[off + 15];
  const headerLen = (offsetFlags >> 12) << 2;
  if (headerLen < TCP_MIN_HEADER_LEN) {
    meta.flag(DecodeStatus.malformed, `tcp: data offset gives a ${headerLen}-byte header, below 20`);
    return;
  }
  meta.tcpOptionsLen = headerLen - TCP_MIN_HEADER_LEN;
  if (headerLen > l4Len) {
    meta.flag(DecodeStatus.malformed, `tcp: header length ${headerLen} exceeds the ${l4Len} bytes the IP header leaves`);
    return;
  }
  meta.payloadLen = l4Len - headerLen;
  if (avail < headerLen) {
    meta.flag(DecodeStatus.truncated, `tcp: header with options needs ${headerLen} bytes, ${avail} captured`);
  }
}
