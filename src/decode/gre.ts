// GRE (RFC 2784, key/sequence of RFC 2890), PPTP's enhanced GRE v1 (RFC 2637 section 4.1) and the ERSPAN mirrors it carries.

import { decodeCiscoMetadataInGre } from './cisco-metadata.js';
import { decodeEthernet } from './ethernet.js';
import { decodeByEtherType, EtherType, hex4 } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';
import { decodePpp } from './ppp.js';
import { enterTunnel, leaveTunnel } from './tunnel.js';

const FLAG_CHECKSUM = 0x8000;
/** RFC 1701 source routing, deprecated by RFC 2784 */
const FLAG_ROUTING = 0x4000;
const FLAG_KEY = 0x2000;
const FLAG_SEQUENCE = 0x1000;
/** RFC 2637: acknowledgment number present (version 1 only) */
const FLAG_ACK = 0x0080;
const VERSION_MASK = 0x0007;

/** ERSPAN type II header (draft-foschiano-erspan section 4.1) */
const ERSPAN2_HEADER_LEN = 8;
/** ERSPAN type III header, plus an 8-byte platform subheader when its O bit is set */
const ERSPAN3_HEADER_LEN = 12;
const ERSPAN3_SUBHEADER_LEN = 8;

export function decodeGre(b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta, depth: number): void {
  const avail = end - off;
  if (l4Len < 4) {
    meta.flag(DecodeStatus.malformed, `gre: header needs 4 bytes, the IP header leaves ${l4Len}`);
    return;
  }
  if (avail < 4) {
    meta.flag(DecodeStatus.truncated, `gre: header needs 4 bytes, ${avail} captured`);
    return;
  }
  const flags = (b[off] << 8) | b[off + 1];
  const protocol = (b[off + 2] << 8) | b[off + 3];
  const version = flags & VERSION_MASK;
  let headerLen: number;
  let payloadEnd = off + l4Len;
  if (version === 0) {
    if ((flags & FLAG_ROUTING) !== 0) {
      meta.flag(DecodeStatus.unsupported, 'gre: source routing (RFC 1701) not decoded');
      return;
    }
    headerLen = 4 + ((flags & FLAG_CHECKSUM) !== 0 ? 4 : 0) + ((flags & FLAG_KEY) !== 0 ? 4 : 0) + ((flags & FLAG_SEQUENCE) !== 0 ? 4 : 0);
  } else if (version === 1) {
    // enhanced GRE always has the key field: payload length and call id
    if ((flags & FLAG_KEY) === 0) {
      meta.flag(DecodeStatus.malformed, 'gre: version 1 without the key field');
      return;
    }
    headerLen = 8 + ((flags & FLAG_SEQUENCE) !== 0 ? 4 : 0) + ((flags & FLAG_ACK) !== 0 ? 4 : 0);
  } else {
    meta.flag(DecodeStatus.unsupported, `gre: version ${version} not decoded`);
    return;
  }
  if (headerLen > l4Len) {
    meta.flag(DecodeStatus.malformed, `gre: header needs ${headerLen} bytes, the IP header leaves ${l4Len}`);
    return;
  }
  if (avail < headerLen) {
    meta.flag(DecodeStatus.truncated, `gre: header needs ${headerLen} bytes, ${avail} captured`);
    return;
  }
  if (version === 1) payloadEnd = off + headerLen + ((b[off + 4] << 8) | b[off + 5]);
  const p = off + headerLen;
  // keepalives and PPTP acknowledgements carry nothing: plain GRE, no tunnel to enter
  if (payloadEnd <= p) return;
  const innerEnd = payloadEnd < end ? payloadEnd : end;
  const entered = enterTunnel(meta, TunnelKind.gre);
  decodeGrePayload(protocol, flags, b, p, innerEnd, meta, depth);
  leaveTunnel(meta, entered);
}

function decodeGrePayload(protocol: number, flags: number, b: Uint8Array, p: number, innerEnd: number, meta: PacketMeta, depth: number): void {
  switch (protocol) {
    case EtherType.transparentEthernet:
      decodeEthernet(b, p, innerEnd, meta, depth + 1);
      return;
    case EtherType.ppp:
      decodePpp(b, p, innerEnd, meta, depth + 1);
      return;
    case EtherType.erspan2:
      // without a sequence number it is ERSPAN type I: the mirrored frame follows GRE directly
      if ((flags & FLAG_SEQUENCE) === 0) {
        decodeEthernet(b, p, innerEnd, meta, depth + 1);
        return;
      }
      if (innerEnd - p < ERSPAN2_HEADER_LEN) {
        meta.flag(DecodeStatus.truncated, `erspan: header needs 8 bytes, ${innerEnd - p} captured`);
        return;
      }
      decodeEthernet(b, p + ERSPAN2_HEADER_LEN, innerEnd, meta, depth + 1);
      return;
    case EtherType.erspan3: {
      if (innerEnd - p < ERSPAN3_HEADER_LEN) {
        meta.flag(DecodeStatus.truncated, `erspan: header needs 12 bytes, ${innerEnd - p} captured`);
        return;
      }
      const len = ERSPAN3_HEADER_LEN + ((b[p + 11] & 1) !== 0 ? ERSPAN3_SUBHEADER_LEN : 0);
      if (innerEnd - p < len) {
        meta.flag(DecodeStatus.truncated, `erspan: header needs ${len} bytes, ${innerEnd - p} captured`);
        return;
      }
      decodeEthernet(b, p + len, innerEnd, meta, depth + 1);
      return;
    }
    case EtherType.ciscoMetadata:
      decodeCiscoMetadataInGre(b, p, innerEnd, meta, depth + 1);
      return;
    default:
      if (protocol <= 0x05ff) {
        meta.flag(DecodeStatus.unsupported, `gre: protocol 0x${hex4(protocol)} not decoded`);
        return;
      }
      decodeByEtherType(protocol, b, p, innerEnd, meta, depth + 1);
  }
}
