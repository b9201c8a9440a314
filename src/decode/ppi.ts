// Per-Packet Information (LINKTYPE_PPI): a little-endian header naming its length and the wrapped link type (PPI spec 1.0.10, 3.1).

import { decodeLinkLayer } from './decode-frame.js';
import { LinkType } from './link-types.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const PPI_MIN_HEADER_LEN = 8;

export function decodePpi(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < PPI_MIN_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `ppi: header needs 8 bytes, ${end - off} captured`);
    return;
  }
  const headerLen = b[off + 2] | (b[off + 3] << 8);
  const linkType = b[off + 4] + (b[off + 5] << 8) + (b[off + 6] << 16) + b[off + 7] * 16777216;
  if (headerLen < PPI_MIN_HEADER_LEN) {
    meta.flag(DecodeStatus.malformed, `ppi: header length ${headerLen} is below 8`);
    return;
  }
  if (end - off < headerLen) {
    meta.flag(DecodeStatus.truncated, `ppi: header needs ${headerLen} bytes, ${end - off} captured`);
    return;
  }
  // PPI inside PPI has no meaning and would let a frame recurse
  if (linkType === LinkType.ppi) {
    meta.flag(DecodeStatus.malformed, 'ppi: nested PPI header');
    return;
  }
  decodeLinkLayer(linkType, b, off + headerLen, end, meta);
}
