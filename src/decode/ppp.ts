// PPP's protocol field (RFC 1661), shared by PPPoE, PPTP's enhanced GRE and the PPP link types; only paths to IP are followed.

import { decodeByEtherType, EtherType, hex4 } from './ethertypes.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

export const PppProtocol = {
  ipv4: 0x0021,
  ipv6: 0x0057,
  mplsUnicast: 0x0281,
  mplsMulticast: 0x0283,
} as const;

/**
 * `off` is at the PPP address field or, when it was compressed away (ACFC, RFC 1661 section 6.6) or the
 * carrier omits it (PPPoE, RFC 2516), at the protocol field.
 */
export function decodePpp(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  let p = off;
  // RFC 1662 HDLC-like framing: address 0xff, control 0x03
  if (end - p >= 2 && b[p] === 0xff && b[p + 1] === 0x03) p += 2;
  if (end - p < 1) {
    meta.flag(DecodeStatus.truncated, 'ppp: protocol needs 2 bytes, 0 captured');
    return;
  }
  let protocol: number;
  // Protocol-Field-Compression (RFC 1661 section 6.5): an odd first byte is a 1-byte protocol
  if ((b[p] & 1) !== 0) {
    protocol = b[p];
    p += 1;
  } else {
    if (end - p < 2) {
      meta.flag(DecodeStatus.truncated, 'ppp: protocol needs 2 bytes, 1 captured');
      return;
    }
    protocol = (b[p] << 8) | b[p + 1];
    p += 2;
  }
  switch (protocol) {
    case PppProtocol.ipv4:
      decodeByEtherType(EtherType.ipv4, b, p, end, meta, depth + 1);
      return;
    case PppProtocol.ipv6:
      decodeByEtherType(EtherType.ipv6, b, p, end, meta, depth + 1);
      return;
    case PppProtocol.mplsUnicast:
    case PppProtocol.mplsMulticast:
      decodeByEtherType(EtherType.mplsUnicast, b, p, end, meta, depth + 1);
      return;
    default:
      meta.flag(DecodeStatus.unsupported, `ppp: protocol 0x${hex4(protocol)} not decoded`);
  }
}
