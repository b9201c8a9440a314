// Cisco HDLC (LINKTYPE_C_HDLC): address, control, then a 2-byte protocol that is an ethertype.

import { decodeByEtherType } from './ethertypes.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const CHDLC_HEADER_LEN = 4;
/** Cisco's Serial Line ARP reuses the RARP number with a different format */
const SLARP = 0x8035;

export function decodeCiscoHdlc(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < CHDLC_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `cisco hdlc: header needs 4 bytes, ${end - off} captured`);
    return;
  }
  const protocol = (b[off + 2] << 8) | b[off + 3];
  if (protocol === SLARP) {
    meta.flag(DecodeStatus.unsupported, 'cisco hdlc: SLARP not decoded');
    return;
  }
  decodeByEtherType(protocol, b, off + CHDLC_HEADER_LEN, end, meta, 0);
}
