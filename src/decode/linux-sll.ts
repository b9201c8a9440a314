// Linux "cooked" captures (any-device): SLL v1 (16-byte header) and SLL2 (20 bytes), both carrying an ethertype (pcap-linktype(7)).

import { decodeByEtherType, hex4 } from './ethertypes.js';
import { decodeLlc } from './llc.js';
import { DecodeStatus, type PacketMeta } from './packet-meta.js';

const SLL_HEADER_LEN = 16;
const SLL2_HEADER_LEN = 20;
/** ARPHRD_NETLINK: the payload is a netlink message, not a network packet */
const ARPHRD_NETLINK = 824;
/** protocol values that are not ethertypes (linux/if_ether.h): ETH_P_802_3 (Novell raw) and ETH_P_802_2 (LLC) */
const ETH_P_802_3 = 0x0001;
const ETH_P_802_2 = 0x0004;

export function decodeLinuxSll(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < SLL_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `linux sll: header needs 16 bytes, ${end - off} captured`);
    return;
  }
  const hardwareType = (b[off + 2] << 8) | b[off + 3];
  const protocol = (b[off + 14] << 8) | b[off + 15];
  decodeCookedPayload(hardwareType, protocol, b, off + SLL_HEADER_LEN, end, meta);
}

export function decodeLinuxSll2(b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (end - off < SLL2_HEADER_LEN) {
    meta.flag(DecodeStatus.truncated, `linux sll2: header needs 20 bytes, ${end - off} captured`);
    return;
  }
  const protocol = (b[off] << 8) | b[off + 1];
  const hardwareType = (b[off + 8] << 8) | b[off + 9];
  decodeCookedPayload(hardwareType, protocol, b, off + SLL2_HEADER_LEN, end, meta);
}

function decodeCookedPayload(hardwareType: number, protocol: number, b: Uint8Array, off: number, end: number, meta: PacketMeta): void {
  if (hardwareType === ARPHRD_NETLINK) {
    meta.flag(DecodeStatus.unsupported, 'linux sll: netlink messages not decoded');
    return;
  }
  if (protocol === ETH_P_802_2) {
    decodeLlc(b, off, end, meta, 0);
    return;
  }
  if (protocol === ETH_P_802_3) {
    meta.flag(DecodeStatus.unsupported, `linux sll: protocol 0x${hex4(protocol)} (Novell 802.3) not decoded`);
    return;
  }
  decodeByEtherType(protocol, b, off, end, meta, 0);
}
