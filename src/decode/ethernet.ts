// Ethernet II / IEEE 802.3 framing (IEEE 802.3 clause 3): 14 bytes of MACs and type, the rest by ethertype.

import { decodeByEtherType } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';

export const ETHERNET_HEADER_LEN = 14;

/** The MAC columns describe the frame's own link layer, so frames bridged through a tunnel (VXLAN, GRE) leave them alone. */
export function decodeEthernet(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  if (end - off < ETHERNET_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `ethernet: header needs 14 bytes, ${end - off} captured`);
    return;
  }
  if (meta.tunnel === TunnelKind.none) {
    meta.ethDstOffset = off;
    meta.ethSrcOffset = off + 6;
  }
  decodeByEtherType((b[off + 12] << 8) | b[off + 13], b, off + ETHERNET_HEADER_LEN, end, meta, depth);
}
