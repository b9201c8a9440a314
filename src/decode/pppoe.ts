// PPPoE session stage (RFC 2516): a 6-byte header, then PPP without address/control fields.

import { DecodeStatus, type PacketMeta } from './packet-meta.js';
import { decodePpp } from './ppp.js';

const PPPOE_HEADER_LEN = 6;
/** version 1, type 1 (RFC 2516 section 4) */
const PPPOE_VER_TYPE = 0x11;

export function decodePppoeSession(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  if (end - off < PPPOE_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `pppoe: header needs 6 bytes, ${end - off} captured`);
    return;
  }
  if (b[off] !== PPPOE_VER_TYPE) {
    meta.flag(DecodeStatus.malformed, `pppoe: version/type 0x${b[off].toString(16)}, expected 0x11`);
    return;
  }
  const payloadEnd = off + PPPOE_HEADER_LEN + ((b[off + 4] << 8) | b[off + 5]);
  decodePpp(b, off + PPPOE_HEADER_LEN, payloadEnd < end ? payloadEnd : end, meta, depth);
}
