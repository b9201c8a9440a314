// BSD loopback (LINKTYPE_NULL) and OpenBSD loopback (LINKTYPE_LOOP): a 4-byte address family, then IP.

import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const LOOPBACK_HEADER_LEN = 4;
const AF_INET = 2;

/** AF_INET6 differs per OS: Linux 10, Windows 23, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30 (pcap-linktype(7)) */
function isInet6(af: number): boolean {
  return af === 10 || af === 23 || af === 24 || af === 28 || af === 30;
}

/** NULL writes the family in the capturing host's byte order, LOOP in network order; both are accepted for both, since captures move between machines. */
export function decodeNullLoopback(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < LOOPBACK_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `loopback: header needs 4 bytes, ${end - off} captured`);
    return;
  }
  const littleEndian = b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24);
  const bigEndian = (b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3];
  if (littleEndian === AF_INET || bigEndian === AF_INET) {
    decodeIpv4(b, off + LOOPBACK_HEADER_LEN, end, meta, 0);
  } else if (isInet6(littleEndian) || isInet6(bigEndian)) {
    decodeIpv6(b, off + LOOPBACK_HEADER_LEN, end, meta, 0);
  } else {
    meta.flag(DecodeStatus.unsupported, `loopback: address family ${littleEndian < 65536 ? littleEndian : bigEndian} not decoded`);
  }
}
