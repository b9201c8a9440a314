// The packet level (`netml extract --level packet`): one row per IP packet. It watches the flow table (a
// FlowObserver) so each packet knows its flow: the direction (from the client or the server), its position
// in the flow and the flow's age, and the flow_id that joins it to --level flow. Per source address it keeps
// two short sliding windows (packets and bytes in the last 1 s and 10 s), so per-packet models see
// a flood or a scan building up instead of isolated packets, and the time since its previous packet.
//
// The windows are exact at slot resolution: each is 10 slots (100 ms for the 1 s window, 1 s for the 10 s
// window) and counts the current slot plus the 9 before it, so "the last second" spans 0.9 to 1 s before the
// packet, never more. State per source is fixed (2 x 10 slots, running sums), held in an AddressTable with
// a cap (--max-hosts): a full table evicts the least recently seen source; when that source had sent in the
// last 10 s (its windows were not empty) the eviction is counted in the summary. An evicted source that
// returns starts with empty windows and src_iat_s 0.

import type { PacketMeta } from '../decode/packet-meta.js';
import { AddressTable, ADDRESS_TABLE_BYTES_PER_SLOT } from '../flow/address-table.js';
import type { EndReason, FlowObserver, FlowTable } from '../flow/flow-table.js';
import { LABEL_COLUMN } from '../schema/flow-columns.js';
import { PACKET_FEATURE_COLUMNS, SOURCE_WINDOW_SLOTS } from '../schema/packet-feature-columns.js';
import type { ColumnSpec } from '../schema/packet-columns.js';
import { CellFormat, FlowRowLayout, repeat } from './feature-group.js';
import type { RowSink } from './flow-feature-set.js';
import { PROTOCOL_TEXT } from './flow-identity.js';
import { FlowLabelGroup, type LabelRule } from './flow-labels.js';

const F = CellFormat;
const PACKET_FORMATS: readonly CellFormat[] = [
  F.int,
  F.timestamp,
  F.int,
  F.address,
  F.address,
  ...repeat(F.int, 4),
  F.text,
  ...repeat(F.int, 14),
  ...repeat(F.seconds, 3),
  F.int,
  F.int,
  F.seconds,
  ...repeat(F.int, 4),
];
const SLOTS = SOURCE_WINDOW_SLOTS;
/** slot lengths of the 1 s and 10 s windows, ns */
const SHORT_SLOT_NS = 1e8;
const LONG_SLOT_NS = 1e9;
/** a source silent this long has empty windows and may leave the table */
const SOURCE_IDLE_NS = SLOTS * LONG_SLOT_NS;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_SCTP = 132;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

export interface PacketFeaturesOptions {
  /** sources whose windows are held at once */
  maxSources: number;
  /** --labels rules, matched on the packet's flow (client/server as at --level flow) at the packet's time */
  rules?: readonly LabelRule[];
}

/** Bytes of state per source, for sizing the source table from a memory budget. */
export function packetBytesPerSource(): number {
  // two windows of 10 slots (packets Uint32, bytes Float64), their slot numbers and sums, last time
  return ADDRESS_TABLE_BYTES_PER_SLOT + 2 * SLOTS * (4 + 8) + 2 * 8 + 4 * 8 + 8;
}

export class PacketFeatures implements FlowObserver {
  readonly columns: readonly ColumnSpec[];
  readonly formats: readonly CellFormat[];
  readonly layout: FlowRowLayout;
  readonly sources: AddressTable;
  /** the current packet's number and capture time, set by the extraction before the flow table sees it */
  packetNumber = 0;
  tsSec = 0;
  tsNsec = 0;
  rowsWritten = 0;
  /** sources that left the table while their windows still held packets */
  sourcesEvicted = 0;

  private readonly table: FlowTable;
  private readonly labels: FlowLabelGroup | undefined;
  private sink: RowSink | undefined;
  private readonly addressWords = new Uint32Array(4);
  private lastSec = NaN;
  private lastNsec = 0;
  private clockNs = -Infinity;
  // per source
  private readonly lastNs: Float64Array;
  private readonly shortSlot: Float64Array;
  private readonly longSlot: Float64Array;
  private readonly shortPackets: Uint32Array;
  private readonly shortBytes: Float64Array;
  private readonly longPackets: Uint32Array;
  private readonly longBytes: Float64Array;
  private readonly sums: Float64Array;

  constructor(table: FlowTable, options: PacketFeaturesOptions) {
    this.table = table;
    const n = Math.floor(options.maxSources);
    this.sources = new AddressTable(n);
    this.lastNs = new Float64Array(n);
    this.shortSlot = new Float64Array(n);
    this.longSlot = new Float64Array(n);
    this.shortPackets = new Uint32Array(n * SLOTS);
    this.shortBytes = new Float64Array(n * SLOTS);
    this.longPackets = new Uint32Array(n * SLOTS);
    this.longBytes = new Float64Array(n * SLOTS);
    /** per source: packets and bytes of the 1 s window, then of the 10 s window */
    this.sums = new Float64Array(n * 4);
    const labelled = options.rules !== undefined;
    this.labels = labelled ? new FlowLabelGroup(table, options.rules!) : undefined;
    this.columns = labelled ? [...PACKET_FEATURE_COLUMNS, LABEL_COLUMN] : PACKET_FEATURE_COLUMNS;
    this.formats = labelled ? [...PACKET_FORMATS, F.text] : PACKET_FORMATS;
    if (this.formats.length !== this.columns.length) throw new Error(`packet level: ${this.columns.length} columns but ${this.formats.length} formats`);
    this.layout = new FlowRowLayout(this.formats);
  }

  attach(sink: RowSink): void {
    this.sink = sink;
  }

  get labelled(): boolean {
    return this.labels !== undefined;
  }

  countsByClass(): Record<string, number> {
    return this.labels?.countsByClass() ?? {};
  }

  open(): void {}

  close(_slot: number, _reason: EndReason): void {}

  update(slot: number, side: number, meta: PacketMeta, timeNs: number, wireLen: number): void {
    const sink = this.sink;
    if (sink === undefined) throw new Error('PacketFeatures: attach a row sink before feeding packets');
    const table = this.table;
    const tsSec = this.tsSec;
    const tsNsec = this.tsNsec;
    // the packet's own time since the table's base (timeNs is its flow's, which never goes backwards)
    const t = (tsSec - table.baseSec) * 1e9 + tsNsec;
    if (t > this.clockNs) this.clockNs = t;
    const row = sink.nextRow();
    const n = row.numbers;
    const v6 = meta.ipVersion === 6;
    const bytes = meta.bytes;
    n[0] = this.packetNumber;
    row.baseSec = tsSec;
    n[1] = tsNsec;
    n[2] = table.flowId(slot);
    row.address(3, this.load(bytes, meta.srcAddrOffset, v6), 0, v6);
    row.address(4, this.load(bytes, meta.dstAddrOffset, v6), 0, v6);
    const proto = meta.ipProto;
    const ports = (proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP) && meta.srcPort >= 0;
    n[5] = ports ? meta.srcPort : -1;
    n[6] = ports ? meta.dstPort : -1;
    n[7] = v6 ? 6 : 4;
    n[8] = proto;
    row.text(9, PROTOCOL_TEXT[proto & 0xff]);
    n[10] = wireLen;
    n[11] = meta.ipLen;
    n[12] = meta.payloadLen;
    n[13] = meta.ttl;
    const tcp = proto === IPPROTO_TCP && meta.tcpFlags >= 0;
    const f = tcp ? meta.tcpFlags : 0;
    n[14] = tcp ? f : -1;
    n[15] = (f >> 1) & 1;
    n[16] = (f >> 4) & 1;
    n[17] = f & 1;
    n[18] = (f >> 2) & 1;
    n[19] = (f >> 3) & 1;
    n[20] = (f >> 5) & 1;
    n[21] = tcp ? meta.tcpWindow : -1;
    const icmp = proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6;
    n[22] = icmp ? meta.icmpType : -1;
    n[23] = icmp ? meta.icmpCode : -1;
    let iat = 0;
    if (this.lastSec === this.lastSec) {
      iat = (tsSec - this.lastSec) * 1e9 + (tsNsec - this.lastNsec);
      if (iat < 0) iat = 0;
    }
    this.lastSec = tsSec;
    this.lastNsec = tsNsec;
    n[24] = iat;
    const source = this.source(bytes, meta.srcAddrOffset, v6);
    const lastFromSource = this.lastNs[source];
    n[25] = lastFromSource === lastFromSource && t > lastFromSource ? t - lastFromSource : 0;
    // the table sets the flow's last time after its observers ran: here it is still the previous packet's
    const previous = table.lastNs(slot);
    n[26] = timeNs - previous;
    n[27] = side === table.clientSide(slot) ? 1 : 0;
    n[28] = table.packets(slot);
    n[29] = timeNs - table.firstNs(slot);
    this.count(source, t, wireLen);
    const s = source * 4;
    n[30] = this.sums[s];
    n[31] = this.sums[s + 1];
    n[32] = this.sums[s + 2];
    n[33] = this.sums[s + 3];
    if (this.labels) {
      const at = table.baseSec + t / 1e9;
      this.labels.label(this.labels.matchAt(slot, at, at), row, 34);
    }
    sink.commit();
    this.rowsWritten++;
  }

  private load(bytes: Uint8Array, o: number, v6: boolean): Uint32Array {
    const w = this.addressWords;
    w[0] = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
    if (v6) {
      w[1] = ((bytes[o + 4] << 24) | (bytes[o + 5] << 16) | (bytes[o + 6] << 8) | bytes[o + 7]) >>> 0;
      w[2] = ((bytes[o + 8] << 24) | (bytes[o + 9] << 16) | (bytes[o + 10] << 8) | bytes[o + 11]) >>> 0;
      w[3] = ((bytes[o + 12] << 24) | (bytes[o + 13] << 16) | (bytes[o + 14] << 8) | bytes[o + 15]) >>> 0;
    }
    return w;
  }

  /** The slot of the packet's source, added (with empty windows) when new. */
  private source(bytes: Uint8Array, offset: number, v6: boolean): number {
    const sources = this.sources;
    sources.setKey(bytes, offset, v6);
    let slot = sources.find();
    if (slot >= 0) {
      sources.touch(slot, this.clockNs);
      return slot;
    }
    if (sources.size === sources.capacity) {
      const old = sources.oldest();
      if (sources.touchNs[old] >= this.clockNs - SOURCE_IDLE_NS) this.sourcesEvicted++;
      sources.remove(old);
      sources.setKey(bytes, offset, v6);
    }
    slot = sources.insert(this.clockNs);
    this.lastNs[slot] = NaN;
    this.shortSlot[slot] = -Infinity;
    this.longSlot[slot] = -Infinity;
    return slot;
  }

  /** Adds the packet to its source's 1 s and 10 s windows, dropping the slots that fell out of them. */
  private count(source: number, t: number, wireLen: number): void {
    let at = t;
    const last = this.lastNs[source];
    if (last === last && at < last) at = last;
    this.lastNs[source] = at;
    const s = source * 4;
    this.advance(this.shortSlot, this.shortPackets, this.shortBytes, source, Math.floor(at / SHORT_SLOT_NS), s);
    this.advance(this.longSlot, this.longPackets, this.longBytes, source, Math.floor(at / LONG_SLOT_NS), s + 2);
    const shortAt = source * SLOTS + modulo(this.shortSlot[source], SLOTS);
    const longAt = source * SLOTS + modulo(this.longSlot[source], SLOTS);
    this.shortPackets[shortAt]++;
    this.shortBytes[shortAt] += wireLen;
    this.longPackets[longAt]++;
    this.longBytes[longAt] += wireLen;
    this.sums[s]++;
    this.sums[s + 1] += wireLen;
    this.sums[s + 2]++;
    this.sums[s + 3] += wireLen;
  }

  private advance(current: Float64Array, packets: Uint32Array, bytes: Float64Array, source: number, slotNumber: number, sum: number): void {
    const cur = current[source];
    if (slotNumber <= cur) return;
    const base = source * SLOTS;
    const sums = this.sums;
    if (slotNumber - cur >= SLOTS) {
      for (let k = 0; k < SLOTS; k++) {
        packets[base + k] = 0;
        bytes[base + k] = 0;
      }
      sums[sum] = 0;
      sums[sum + 1] = 0;
    } else {
      for (let k = cur + 1; k <= slotNumber; k++) {
        const i = base + modulo(k, SLOTS);
        sums[sum] -= packets[i];
        sums[sum + 1] -= bytes[i];
        packets[i] = 0;
        bytes[i] = 0;
      }
    }
    current[source] = slotNumber;
  }
}

function modulo(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}
