// IEEE 802.2 LLC after an 802.3 length field; only SNAP with an ethertype (RFC 1042) leads to IP.

import { decodeByEtherType, hex4 } from './ethertypes.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const SNAP_SAP = 0xaa;
const LLC_UI = 0x03;
/** OUIs whose SNAP protocol id is an ethertype: 00-00-00 (RFC 1042) and 00-00-F8 (802.1H bridge tunnel) */
const OUI_RFC1042 = 0x000000;
const OUI_BRIDGE_TUNNEL = 0x0000f8;

export function decodeLlc(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  const avail = end - off;
  if (avail < 3) {
    meta.flag(DecodeStatus.truncated, `llc: header needs 3 bytes, ${avail} captured`);
    return;
  }
  if (b[off] !== SNAP_SAP || b[off + 1] !== SNAP_SAP || b[off + 2] !== LLC_UI) {
    meta.flag(DecodeStatus.unsupported, `llc: dsap 0x${b[off].toString(16).padStart(2, '0')} not decoded`);
    return;
  }
  if (avail < 8) {
    meta.flag(DecodeStatus.truncated, `snap: header needs 8 bytes, ${avail} captured`);
    return;
  }
  const oui = (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5];
  const pid = (b[off + 6] << 8) | b[off + 7];
  if (oui !== OUI_RFC1042 && oui !== OUI_BRIDGE_TUNNEL) {
    meta.flag(DecodeStatus.unsupported, `snap: oui ${oui.toString(16).padStart(6, '0')} protocol 0x${hex4(pid)} not decoded`);
    return;
  }
  decodeByEtherType(pid, b, off + 8, end, meta, depth + 1);
}
