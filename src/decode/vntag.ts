// Cisco VN-Tag (4-byte tag) and IEEE 802.1BR E-Tag (6-byte tag): port-extender shims before the real ethertype.

import { decodeByEtherType } from './ethertypes.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

/** `tagLen` is 4 for VN-Tag and 6 for E-Tag; the next ethertype follows the tag. */
export function decodeVnTag(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number, tagLen: number): void {
  const need = tagLen + 2;
  if (end - off < need) {
    meta.flag(DecodeStatus.truncated, `${tagLen === 4 ? 'vn-tag' : 'e-tag'}: header needs ${need} bytes, ${end - off} captured`);
    return;
  }
  decodeByEtherType((b[off + tagLen] << 8) | b[off + tagLen + 1], b, off + need, end, meta, depth + 1);
}
