// IPv4 (RFC 791): header length checked once, fixed fields read by offset, fragments reported.

import { decodeIpPayload, IpProto } from './ip-protocols.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';
import { startInnerNetworkLayer } from './tunnel.js';

const IPV4_MIN_HEADER_LEN = 20;

export function decodeIpv4(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  const avail = end - off;
  if (avail < IPV4_MIN_HEADER_LEN) {
    // a cut header still tells its version and the packet's size; addresses need the whole fixed header
    if (avail >= 4 && b[off] >> 4 === 4) startPartialHeader(meta, (b[off + 2] << 8) | b[off + 3]);
    meta.flag(DecodeStatus.truncated, `ipv4: header needs 20 bytes, ${avail < 0 ? 0 : avail} captured`);
    return;
  }
  const versionIhl = b[off];
  if (versionIhl >> 4 !== 4) {
    meta.flag(DecodeStatus.malformed, `ipv4: version field is ${versionIhl >> 4}, expected 4`);
    return;
  }
  const headerLen = (versionIhl & 0x0f) << 2;
  if (headerLen < IPV4_MIN_HEADER_LEN) {
    meta.flag(DecodeStatus.malformed, `ipv4: header length ${headerLen} is below 20`);
    return;
  }
  let totalLen = (b[off + 2] << 8) | b[off + 3];
  const proto = b[off + 9];
  // Total length 0 comes from TCP/UDP segmentation offload and Linux BIG TCP (packets over 64 KiB): the
  // captured frame is the length then, as Wireshark assumes too. On other protocols it is flagged, but
  // decoding goes on with the captured length. Any other total length below the header is not IPv4.
  if (totalLen === 0) {
    totalLen = avail;
    if (proto !== IpProto.tcp && proto !== IpProto.udp) {
      meta.flag(DecodeStatus.malformed, `ipv4: total length 0 on protocol ${proto}; the ${avail} captured bytes were used`);
    }
  }
  if (totalLen < headerLen) {
    startPartialHeader(meta, totalLen);
    meta.flag(DecodeStatus.malformed, `ipv4: total length ${totalLen} is below the header length ${headerLen}`);
    return;
  }
  if (meta.ipVersion !== 0) startInnerNetworkLayer(meta);

  const flagsFragment = (b[off + 6] << 8) | b[off + 7];
  meta.ipVersion = 4;
  meta.srcAddrOffset = off + 12;
  meta.dstAddrOffset = off + 16;
  meta.ttl = b[off + 8];
  meta.ipProto = proto;
  meta.ipLen = totalLen;
  meta.ipDontFragment = (flagsFragment >> 14) & 1;
  meta.ipMoreFragments = (flagsFragment >> 13) & 1;
  const fragOffset = (flagsFragment & 0x1fff) << 3;
  meta.fragOffset = fragOffset;
  if (meta.frameIsWhole && totalLen > avail) {
    meta.flag(DecodeStatus.truncated, `ipv4: total length ${totalLen} is more than the ${avail} bytes left in the frame, which was captured whole`);
  }

  if (avail < headerLen) {
    meta.flag(DecodeStatus.truncated, `ipv4: header with options needs ${headerLen} bytes, ${avail} captured`);
    return;
  }
  // only the first fragment carries the transport header (RFC 791 section 3.2)
  if (fragOffset !== 0) return;

  const declaredEnd = off + totalLen;
  decodeIpPayload(proto, b, off + headerLen, declaredEnd < end ? declaredEnd : end, totalLen - headerLen, meta, depth);
}

/** Only the version and the declared length of a header that is cut or inconsistent. */
function startPartialHeader(meta: PacketMeta, totalLen: number): void {
  if (meta.ipVersion !== 0) startInnerNetworkLayer(meta);
  meta.ipVersion = 4;
  if (totalLen !== 0) meta.ipLen = totalLen;
}
