// Cisco MetaData (ethertype 0x8909): an 8-byte TrustSec shim before the real ethertype, laid out as Wireshark's packet-cisco-metadata.c reads it.

import { decodeByEtherType } from './ethertypes.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const CMD_LEN = 8;

/** On Ethernet the ethertype is the shim's last field. */
export function decodeCiscoMetadata(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  if (end - off < CMD_LEN) {
    meta.flag(DecodeStatus.truncated, `cisco metadata: header needs 8 bytes, ${end - off} captured`);
    return;
  }
  decodeByEtherType((b[off + 6] << 8) | b[off + 7], b, off + CMD_LEN, end, meta, depth + 1);
}

/** The GRE form puts the ethertype first. */
export function decodeCiscoMetadataInGre(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  if (end - off < CMD_LEN) {
    meta.flag(DecodeStatus.truncated, `cisco metadata: header needs 8 bytes, ${end - off} captured`);
    return;
  }
  decodeByEtherType((b[off] << 8) | b[off + 1], b, off + CMD_LEN, end, meta, depth + 1);
}
