// UDP (RFC 768), and the tunnels recognised by their UDP port: VXLAN (RFC 7348) and Teredo (RFC 4380).

import { DecodeStatus, type PacketMeta } from './packet-meta.js';
import { decodeTeredo, TEREDO_PORT } from './teredo.js';
import { decodeVxlan, VXLAN_PORT } from './vxlan.js';

const UDP_HEADER_LEN = 8;

export function decodeUdp(b: Uint8Array, off: number, end: number, l4Len: number, meta: PacketMeta, depth: number): void {
  const avail = end - off;
  if (avail < UDP_HEADER_LEN || l4Len < UDP_HEADER_LEN) {
    // the ports alone still say which conversation a cut datagram belongs to
    if (avail >= 4 && l4Len >= 4) {
      meta.srcPort = (b[off] << 8) | b[off + 1];
      meta.dstPort = (b[off + 2] << 8) | b[off + 3];
    }
    if (l4Len < UDP_HEADER_LEN) meta.flag(DecodeStatus.malformed, `udp: header needs 8 bytes, the IP header leaves ${l4Len}`);
    else meta.flag(DecodeStatus.truncated, `udp: header needs 8 bytes, ${avail < 0 ? 0 : avail} captured`);
    return;
  }
  const srcPort = (b[off] << 8) | b[off + 1];
  const dstPort = (b[off + 2] << 8) | b[off + 3];
  meta.srcPort = srcPort;
  meta.dstPort = dstPort;
  let udpLen = (b[off + 4] << 8) | b[off + 5];
  if (udpLen === 0 && l4Len > 0xffff) {
    // RFC 2675 section 4: a UDP jumbogram says 0 and takes its length from the IPv6 jumbo option
    udpLen = l4Len;
  } else if (udpLen < UDP_HEADER_LEN) {
    meta.flag(DecodeStatus.malformed, `udp: length ${udpLen} is below the 8-byte header`);
    return;
  }
  meta.payloadLen = udpLen - UDP_HEADER_LEN;
  // a first fragment's UDP length covers the whole datagram, not just this fragment
  if (udpLen > l4Len && meta.ipMoreFragments !== 1) {
    meta.flag(DecodeStatus.malformed, `udp: length ${udpLen} exceeds the ${l4Len} bytes the IP header leaves`);
    return;
  }
  const datagramEnd = off + udpLen < end ? off + udpLen : end;
  if (dstPort === VXLAN_PORT) {
    decodeVxlan(b, off + UDP_HEADER_LEN, datagramEnd, meta, depth);
  } else if (srcPort === TEREDO_PORT || dstPort === TEREDO_PORT) {
    decodeTeredo(b, off + UDP_HEADER_LEN, datagramEnd, udpLen - UDP_HEADER_LEN, meta, depth);
  }
}
