// MPLS label stack (RFC 3032): 4-byte entries until bottom-of-stack, then IPv4/IPv6 guessed from the first nibble (RFC 4928).

import { decodeByEtherType, EtherType } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';

export function decodeMpls(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  const outer = meta.tunnel === TunnelKind.none;
  for (;;) {
    if (end - off < 4) {
      meta.flag(DecodeStatus.truncated, `mpls: label needs 4 bytes, ${end - off} captured`);
      return;
    }
    if (outer && meta.mplsLabel === -1) meta.mplsLabel = (b[off] << 12) | (b[off + 1] << 4) | (b[off + 2] >> 4);
    const bottomOfStack = b[off + 2] & 1;
    off += 4;
    if (bottomOfStack !== 0) break;
  }
  if (off >= end) {
    meta.flag(DecodeStatus.truncated, 'mpls: payload needs 1 byte, 0 captured');
    return;
  }
  const nibble = b[off] >> 4;
  if (nibble === 4) decodeByEtherType(EtherType.ipv4, b, off, end, meta, depth + 1);
  else if (nibble === 6) decodeByEtherType(EtherType.ipv6, b, off, end, meta, depth + 1);
  else meta.flag(DecodeStatus.unsupported, `mpls: payload starting with nibble ${nibble} is not IP (pseudowire?)`);
}
