// VXLAN (RFC 7348): an 8-byte header after UDP port 4789, then a whole Ethernet frame of the overlay.

import { decodeEthernet } from './ethernet.js';
import { MAX_LAYER_DEPTH } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';
import { enterTunnel, leaveTunnel } from './tunnel.js';

/** IANA-assigned VXLAN port (RFC 7348 section 5) */
export const VXLAN_PORT = 4789;
const VXLAN_HEADER_LEN = 8;

export function decodeVxlan(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  if (end - off < VXLAN_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `vxlan: header needs 8 bytes, ${end - off} captured`);
    return;
  }
  if (depth >= MAX_LAYER_DEPTH) {
    meta.flag(DecodeStatus.unsupported, `nesting deeper than ${MAX_LAYER_DEPTH} layers`);
    return;
  }
  const entered = enterTunnel(meta, TunnelKind.vxlan);
  decodeEthernet(b, off + VXLAN_HEADER_LEN, end, meta, depth + 1);
  leaveTunnel(meta, entered);
}
