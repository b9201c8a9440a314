// IEEE 802.1Q / 802.1ad VLAN tags, any number of them stacked (QinQ, QinQinQ): 4 bytes each, TCI then type.

import { decodeByEtherType, EtherType } from './ethertypes.js';
import { DecodeStatus, TunnelKind, type PacketMeta } from './packet-meta.js';

function isVlanTpid(type: number): boolean {
  return (
    type === EtherType.vlan ||
    type === EtherType.qinq ||
    type === EtherType.qinqLegacy ||
    type === EtherType.qinqLegacy2 ||
    type === EtherType.qinqLegacy3
  );
}

/** `off` is just after a VLAN TPID. Tags are walked in a loop, not by recursion, so a frame full of tags costs no stack. */
export function decodeVlan(b: Uint8Array, off: number, end: number, meta: PacketMeta, depth: number): void {
  // Only the frame's own tags are columns; tags inside a tunnelled frame describe another network.
  const outer = meta.tunnel === TunnelKind.none;
  for (;;) {
    if (end - off < 4) {
      meta.flag(DecodeStatus.truncated, `vlan: tag needs 4 bytes, ${end - off} captured`);
      return;
    }
    if (outer) {
      const id = ((b[off] & 0x0f) << 8) | b[off + 1];
      if (meta.vlanDepth === 0) meta.vlanId = id;
      else if (meta.vlanDepth === 1) meta.vlanInnerId = id;
      meta.vlanDepth++;
    }
    const type = (b[off + 2] << 8) | b[off + 3];
    off += 4;
    if (!isVlanTpid(type)) {
      decodeByEtherType(type, b, off, end, meta, depth + 1);
      return;
    }
  }
}
