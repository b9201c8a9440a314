// Linux NFLOG (LINKTYPE_NFLOG): a 4-byte header, then host-byte-order TLVs; the packet is TLV 9 (linux/netfilter/nfnetlink_log.h).

import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const NFLOG_HEADER_LEN = 4;
const TLV_HEADER_LEN = 4;
const NFULA_PAYLOAD = 9;
const AF_INET = 2;
const AF_INET6 = 10;

export function decodeNflog(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < NFLOG_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `nflog: header needs 4 bytes, ${end - off} captured`);
    return;
  }
  const family = b[off];
  let p = off + NFLOG_HEADER_LEN;
  // Byte order is guessed once from the first TLV: big-endian only when its length makes sense that way
  // and not the little-endian way (x86 and ARM hosts write little-endian).
  let littleEndian = true;
  if (end - p >= TLV_HEADER_LEN) {
    const lenLe = b[p] | (b[p + 1] << 8);
    const lenBe = (b[p] << 8) | b[p + 1];
    const room = end - p;
    if ((lenLe < TLV_HEADER_LEN || lenLe > room) && lenBe >= TLV_HEADER_LEN && lenBe <= room) littleEndian = false;
  }
  // each TLV advances p by at least 4, so the loop ends
  while (p < end) {
    if (end - p < TLV_HEADER_LEN) {
      meta.flag(DecodeStatus.truncated, `nflog: TLV header needs 4 bytes, ${end - p} captured`);
      return;
    }
    const tlvLen = littleEndian ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
    // the top bits of the type are netlink flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER)
    const tlvType = (littleEndian ? b[p + 2] | (b[p + 3] << 8) : (b[p + 2] << 8) | b[p + 3]) & 0x3fff;
    if (tlvLen < TLV_HEADER_LEN) {
      meta.flag(DecodeStatus.malformed, `nflog: TLV length ${tlvLen} is below 4`);
      return;
    }
    if (tlvType === NFULA_PAYLOAD) {
      const valueEnd = p + tlvLen < end ? p + tlvLen : end;
      decodeFamily(family, b, p + TLV_HEADER_LEN, valueEnd, meta);
      return;
    }
    // TLVs are padded to 4 bytes (NFA_ALIGN)
    p += (tlvLen + 3) & ~3;
  }
  meta.flag(DecodeStatus.unsupported, 'nflog: no payload TLV (type 9)');
}

function decodeFamily(family: number, b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (off >= end) {
    meta.flag(DecodeStatus.truncated, 'nflog: payload needs 1 byte, 0 captured');
    return;
  }
  const nibble = b[off] >> 4;
  if (family === AF_INET || (family !== AF_INET6 && nibble === 4)) decodeIpv4(b, off, end, meta, 0);
  else if (family === AF_INET6 || nibble === 6) decodeIpv6(b, off, end, meta, 0);
  else meta.flag(DecodeStatus.unsupported, `nflog: address family ${family} not decoded`);
}
