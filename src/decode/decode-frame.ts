// The decoder's entry point: one captured frame in, the reused PacketMeta filled, never an exception, no allocation on the ordinary path.

import { decodeCiscoHdlc } from './cisco-hdlc.js';
import { decodeEthernet } from './ethernet.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { LinkType } from './link-types.js';
import { decodeLinuxSll, decodeLinuxSll2 } from './linux-sll.js';
import { decodeNflog } from './nflog.js';
import { decodeNullLoopback } from './null-loopback.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';
import { decodePpi } from './ppi.js';
import { decodePpp } from './ppp.js';
import { decodePppoeSession } from './pppoe.js';
import { decodeRawIp } from './raw-ip.js';

/**
 * Decodes bytes[start, end) (end = start + captured length) captured on a `linkType` interface into `meta`.
 * All *Offset fields are absolute indices into `bytes`. Problems are reported in meta.status, not thrown.
 * `wireLen` (the length on the wire, -1 when unknown) tells a snap-length cut from a packet whose headers
 * claim more bytes than the whole frame has.
 */
export function decodeFrame(bytes: Uint8Array, start: number, end: number, linkType: number, meta: PacketMeta, wireLen = -1): void {
  meta.reset(bytes, linkType);
  meta.frameIsWhole = wireLen >= 0 && wireLen <= end - start;
  if (end > bytes.length) end = bytes.length;
  if (start < 0 || start > end) {
    meta.flag(DecodeStatus.truncated, `frame: bounds ${start}..${end} are outside the ${bytes.length}-byte buffer`);
    return;
  }
  try {
    decodeLinkLayer(linkType, bytes, start, end, meta);
  } catch (err) {
    // Every decoder checks its lengths, so this is a bug; it still must not take the capture down.
    meta.flag(DecodeStatus.malformed, `decoder error: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** Link-layer dispatch, also used by PPI for the link type it wraps. */
export function decodeLinkLayer(linkType: number, b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  switch (linkType) {
    case LinkType.ethernet:
      decodeEthernet(b, off, end, meta, 0);
      return;
    case LinkType.raw:
    case LinkType.rawBsd:
    case LinkType.rawOpenBsd:
      decodeRawIp(b, off, end, meta);
      return;
    case LinkType.ipv4:
      decodeIpv4(b, off, end, meta, 0);
      return;
    case LinkType.ipv6:
      decodeIpv6(b, off, end, meta, 0);
      return;
    case LinkType.null:
    case LinkType.loop:
      decodeNullLoopback(b, off, end, meta);
      return;
    case LinkType.linuxSll:
      decodeLinuxSll(b, off, end, meta);
      return;
    case LinkType.linuxSll2:
      decodeLinuxSll2(b, off, end, meta);
      return;
    case LinkType.nflog:
      decodeNflog(b, off, end, meta);
      return;
    case LinkType.ciscoHdlc:
      decodeCiscoHdlc(b, off, end, meta);
      return;
    case LinkType.ppp:
    case LinkType.pppHdlc:
      decodePpp(b, off, end, meta, 0);
      return;
    case LinkType.pppEther:
      decodePppoeSession(b, off, end, meta, 0);
      return;
    case LinkType.ppi:
      decodePpi(b, off, end, meta);
      return;
    default:
      meta.flag(DecodeStatus.unsupported, `link type ${linkType} not decoded`);
  }
}
