// Raw IP link types (LINKTYPE_RAW and its DLT_RAW aliases): no link header, the version nibble says which IP.

import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

export function decodeRawIp(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < 1) {
    meta.flag(DecodeStatus.truncated, 'raw ip: header needs 1 byte, 0 captured');
    return;
  }
  const version = b[off] >> 4;
  if (version === 4) decodeIpv4(b, off, end, meta, 0);
  else if (version === 6) decodeIpv6(b, off, end, meta, 0);
  else meta.flag(DecodeStatus.malformed, `raw ip: version field is ${version}, expected 4 or 6`);
}
