// ARP (RFC 826): the opcode, and the sender/target protocol addresses when they are IPv4 (the address columns are IP columns).

import { EtherType } from './ethertypes.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';
import { startInnerNetworkLayer } from './tunnel.js';

const ARP_FIXED_LEN = 8;
/** ATMARP (RFC 2225) shares ARP's ethertype but not its layout */
const HARDWARE_ATM = 19;

export function decodeArp(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  const avail = end - off;
  if (avail < ARP_FIXED_LEN) {
    meta.flag(DecodeStatus.truncated, `arp: header needs 8 bytes, ${avail} captured`);
    return;
  }
  const hardwareType = (b[off] << 8) | b[off + 1];
  if (hardwareType === HARDWARE_ATM) {
    meta.flag(DecodeStatus.unsupported, 'arp: ATMARP (hardware type 19) not decoded');
    return;
  }
  // ARP inside a tunnel replaces the outer IP header as the innermost network layer
  if (meta.ipVersion !== 0) startInnerNetworkLayer(meta);
  const protocolType = (b[off + 2] << 8) | b[off + 3];
  const hardwareLen = b[off + 4];
  const protocolLen = b[off + 5];
  meta.arpOp = (b[off + 6] << 8) | b[off + 7];
  const need = ARP_FIXED_LEN + 2 * (hardwareLen + protocolLen);
  if (avail < need) {
    meta.flag(DecodeStatus.truncated, `arp: addresses need ${need} bytes, ${avail} captured`);
    return;
  }
  if (protocolType === EtherType.ipv4 && protocolLen === 4) {
    meta.arpAddrLen = 4;
    meta.srcAddrOffset = off + ARP_FIXED_LEN + hardwareLen;
    meta.dstAddrOffset = off + ARP_FIXED_LEN + 2 * hardwareLen + 4;
  }
}
