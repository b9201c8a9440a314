// IPv6 (RFC 8200) and its extension header chain, walked to the transport header it ends in.

import { decodeIpPayload, IpProto } from './ip-protocols.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';
import { startInnerNetworkLayer } from './tunnel.js';

const IPV6_HEADER_LEN = 40;
/** RFC 2675 Jumbo Payload option in the hop-by-hop header */
const JUMBO_OPTION = 0xc2;
/** more than any real stack of extension headers; a crafted chain is cut off here */
const MAX_EXTENSION_HEADERS = 32;

/**
 * Hop-by-hop, routing, destination options, mobility (RFC 6275), HIP and shim6 share one length format
 * (RFC 7045); fragment headers are a fixed 8 bytes; AH is skipped by its own length unit (RFC 4302); ESP
 * (RFC 4303), "no next header" and anything else end the chain, and ipProto names where it ended.
 */
export function decodeIpv6(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  const avail = end - off;
  if (avail < IPV6_HEADER_LEN) {
    // a cut header still tells what its bytes hold: version and size, next header, hop limit, source
    if (avail >= 6 && b[off] >> 4 === 6) {
      if (meta.ipVersion !== 0) startInnerNetworkLayer(meta);
      meta.ipVersion = 6;
      meta.ipLen = IPV6_HEADER_LEN + ((b[off + 4] << 8) | b[off + 5]);
      // ipProto names the transport after extension headers, so a header that points to one says nothing yet
      if (avail >= 7 && !isExtensionHeader(b[off + 6])) meta.ipProto = b[off + 6];
      if (avail >= 8) meta.ttl = b[off + 7];
      if (avail >= 24) meta.srcAddrOffset = off + 8;
    }
    meta.flag(DecodeStatus.truncated, `ipv6: header needs 40 bytes, ${avail < 0 ? 0 : avail} captured`);
    return;
  }
  if (b[off] >> 4 !== 6) {
    meta.flag(DecodeStatus.malformed, `ipv6: version field is ${b[off] >> 4}, expected 6`);
    return;
  }
  if (meta.ipVersion !== 0) startInnerNetworkLayer(meta);

  let payloadLen = (b[off + 4] << 8) | b[off + 5];
  let next = b[off + 6];
  meta.ipVersion = 6;
  meta.srcAddrOffset = off + 8;
  meta.dstAddrOffset = off + 24;
  meta.ttl = b[off + 7];
  meta.ipLen = IPV6_HEADER_LEN + payloadLen;

  if (payloadLen === 0 && next !== IpProto.ipv6NoNext) {
    // RFC 2675 jumbogram: payload length 0 and a Jumbo Payload option (Linux BIG TCP sends these); or
    // TCP/UDP segmentation offload left it 0 and the captured frame is the only length there is.
    const jumbo = next === IpProto.hopByHop ? jumboPayloadLength(b, off + IPV6_HEADER_LEN, end) : -1;
    if (jumbo > 0) payloadLen = jumbo;
    else if (next === IpProto.tcp || next === IpProto.udp) payloadLen = avail - IPV6_HEADER_LEN;
    meta.ipLen = IPV6_HEADER_LEN + payloadLen;
  }
  if (meta.frameIsWhole && IPV6_HEADER_LEN + payloadLen > avail) {
    meta.flag(DecodeStatus.truncated, `ipv6: payload length ${payloadLen} is more than the ${avail - IPV6_HEADER_LEN} bytes left in the frame, which was captured whole`);
  }

  let p = off + IPV6_HEADER_LEN;
  const declaredEnd = p + payloadLen;
  for (let count = 0; ; count++) {
    if (count === MAX_EXTENSION_HEADERS) {
      meta.flag(DecodeStatus.unsupported, `ipv6: more than ${MAX_EXTENSION_HEADERS} extension headers`);
      return;
    }
    let extLen: number;
    switch (next) {
      case IpProto.hopByHop:
      case IpProto.ipv6Routing:
      case IpProto.ipv6DestOptions:
      case IpProto.mobility:
      case IpProto.hip:
      case IpProto.shim6:
        if (!extensionFits(meta, next, p, 2, declaredEnd, end)) return;
        // RFC 8200 section 4.3: length in 8-octet units, not counting the first 8
        extLen = (b[p + 1] + 1) << 3;
        break;
      case IpProto.ah:
        if (!extensionFits(meta, next, p, 2, declaredEnd, end)) return;
        // RFC 4302 section 2.2: length in 4-octet units, minus 2
        extLen = (b[p + 1] + 2) << 2;
        break;
      case IpProto.ipv6Fragment: {
        if (!extensionFits(meta, next, p, 8, declaredEnd, end)) return;
        const offsetFlags = (b[p + 2] << 8) | b[p + 3];
        meta.fragOffset = offsetFlags & 0xfff8;
        meta.ipMoreFragments = offsetFlags & 1;
        next = b[p];
        p += 8;
        // only the first fragment carries the upper-layer header (RFC 8200 section 4.5)
        if (meta.fragOffset !== 0) {
          meta.ipProto = next;
          return;
        }
        continue;
      }
      default:
        meta.ipProto = next;
        decodeIpPayload(next, b, p, declaredEnd < end ? declaredEnd : end, declaredEnd - p, meta, depth);
        return;
    }
    if (!extensionFits(meta, next, p, extLen, declaredEnd, end)) return;
    next = b[p];
    p += extLen;
  }
}

/** Checks that `need` bytes of extension header `type` at `p` are declared and captured; flags it if not. */
function extensionFits(meta: PacketMeta, type: number, p: number, need: number, declaredEnd: number, end: number): boolean {
  if (p + need > declaredEnd) {
    meta.flag(DecodeStatus.malformed, `ipv6: extension header ${type} needs ${need} bytes, the payload length leaves ${declaredEnd - p}`);
    return false;
  }
  if (p + need > end) {
    meta.flag(DecodeStatus.truncated, `ipv6: extension header ${type} needs ${need} bytes, ${end - p < 0 ? 0 : end - p} captured`);
    return false;
  }
  return true;
}

/** The Jumbo Payload option's length (RFC 2675 section 2), or -1; only the captured hop-by-hop header is read. */
function jumboPayloadLength(b: Uint8Array, p: number, end: number): number {
  if (end - p < 2) return -1;
  const optionsEnd = p + ((b[p + 1] + 1) << 3);
  let o = p + 2;
  const stop = optionsEnd < end ? optionsEnd : end;
  while (o < stop) {
    const type = b[o];
    if (type === 0) {
      o++; // Pad1 has no length byte
      continue;
    }
    if (o + 2 > stop) return -1;
    const len = b[o + 1];
    if (type === JUMBO_OPTION && len === 4 && o + 6 <= stop) {
      return b[o + 2] * 16777216 + ((b[o + 3] << 16) | (b[o + 4] << 8) | b[o + 5]);
    }
    o += 2 + len;
  }
  return -1;
}

function isExtensionHeader(next: number): boolean {
  return (
    next === IpProto.hopByHop ||
    next === IpProto.ipv6Routing ||
    next === IpProto.ipv6DestOptions ||
    next === IpProto.mobility ||
    next === IpProto.hip ||
    next === IpProto.shim6 ||
    next === IpProto.ah ||
    next === IpProto.ipv6Fragment
  );
}
