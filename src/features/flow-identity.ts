// Who talked to whom, when, over what: the identifier columns (left out of training by default) plus the
// protocol, the ICMP type/code and how the client side was chosen. Everything but the ICMP type comes from
// the flow table's key and times, so this group keeps only 4 bytes per flow.

import type { PacketMeta } from '../decode/packet-meta.js';
import { isIcmpQueryWord, KEY_META_WORD, KEY_PORT_WORD } from '../flow/flow-key.js';
import { clientFromNames, type EndReason } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { FLOW_IDENTITY_COLUMNS } from '../schema/flow-columns.js';
import { ascii, CellFormat, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

/** the `protocol` words of packets.csv, by IP protocol number; `ip` for the rest */
export const PROTOCOL_TEXT: Uint8Array[] = Array.from({ length: 256 }, () => ascii('ip'));
for (const [proto, name] of [[6, 'tcp'], [17, 'udp'], [1, 'icmp'], [58, 'icmpv6'], [132, 'sctp'], [47, 'gre'], [50, 'esp'], [51, 'ah'], [2, 'igmp']] as const) {
  PROTOCOL_TEXT[proto] = ascii(name);
}
const CLIENT_FROM_TEXT = clientFromNames.map(ascii);
const F = CellFormat;

export class FlowIdentityGroup implements FlowFeatureGroup {
  readonly columns = FLOW_IDENTITY_COLUMNS;
  readonly formats = [F.int, F.timestamp, F.timestamp, F.address, F.address, F.int, F.int, F.int, F.int, F.int, F.text, F.int, F.int, F.text];
  readonly bytesPerFlow = 4;
  private readonly table: FlowSlots;
  /** ICMP type << 8 | code of the record's first packet; -1 not ICMP */
  private readonly icmp: Int32Array;

  constructor(table: FlowSlots) {
    this.table = table;
    this.icmp = new Int32Array(table.capacity);
  }

  open(slot: number, _continued: boolean, meta: PacketMeta): void {
    this.icmp[slot] = meta.icmpType >= 0 ? (meta.icmpType << 8) | (meta.icmpCode & 0xff) : -1;
  }

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    const t = this.table;
    const keys = t.keyWords;
    const k = t.keyOffset(slot);
    const meta = keys[k + KEY_META_WORD];
    const v6 = meta >>> 31 === 1;
    const proto = meta & 0xff;
    const client = t.clientSide(slot);
    const n = row.numbers;
    n[at] = t.flowId(slot);
    row.baseSec = t.baseSec;
    n[at + 1] = t.firstNs(slot);
    n[at + 2] = t.lastNs(slot);
    row.address(at + 3, keys, client === 0 ? k : k + 4, v6);
    row.address(at + 4, keys, client === 0 ? k + 4 : k, v6);
    const portWord = keys[k + KEY_PORT_WORD];
    let portA = portWord >>> 16;
    let portB = portWord & 0xffff;
    if (proto === 1 || proto === 58) {
      portA = portB = isIcmpQueryWord(portWord) ? portWord & 0xffff : 0;
    }
    n[at + 5] = client === 0 ? portA : portB;
    n[at + 6] = client === 0 ? portB : portA;
    const vlan = (meta >>> 8) & 0x1fff;
    n[at + 7] = vlan > 0 ? vlan - 1 : 0;
    n[at + 8] = v6 ? 6 : 4;
    n[at + 9] = proto;
    row.text(at + 10, PROTOCOL_TEXT[proto]);
    const icmp = this.icmp[slot];
    n[at + 11] = icmp >= 0 ? icmp >> 8 : -1;
    n[at + 12] = icmp >= 0 ? icmp & 0xff : -1;
    row.text(at + 13, CLIENT_FROM_TEXT[t.clientFrom(slot)]);
  }
}
