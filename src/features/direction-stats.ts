// Per-direction counters and running statistics, then the flow-level duration and rates built from them.
// State is kept per key side (slot * 2 + side) and mapped to fwd/bwd only when the row is written, so a
// client side decided late (a SYN after midstream packets) never needs the statistics moved.
// Sizes are frame bytes on the wire; mean and variance by Welford's update (Knuth, TAOCP vol. 2, 4.2.2),
// so no per-packet values are kept; times are integer nanoseconds, so min/max IATs are exact.

import type { PacketMeta } from '../decode/packet-meta.js';
import type { EndReason } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { FLOW_DIRECTION_COLUMNS } from '../schema/flow-columns.js';
import { CellFormat, repeat, sampleStd, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

const FLAG_COUNTERS = 8;
const F = CellFormat;
/** packets, bytes x3, min, max | mean, std | 4 IATs | 8 flag counts, window, TTL */
const DIRECTION_FORMATS = [...repeat(F.int, 6), F.decimal, F.decimal, ...repeat(F.seconds, 4), ...repeat(F.int, 10)];
const PER_DIRECTION = DIRECTION_FORMATS.length;

export class DirectionStatsGroup implements FlowFeatureGroup {
  readonly columns = FLOW_DIRECTION_COLUMNS;
  readonly formats = [...DIRECTION_FORMATS, ...DIRECTION_FORMATS, F.seconds, F.decimal, F.decimal, F.decimal];
  // 11 Float64 + 2 Uint32 + 8 Uint32 flags + Int32 window + Int16 TTL, for each of two sides
  readonly bytesPerFlow = 2 * (11 * 8 + 2 * 4 + FLAG_COUNTERS * 4 + 4 + 2);
  private readonly table: FlowSlots;
  private readonly packets: Float64Array;
  private readonly bytesWire: Float64Array;
  private readonly payloadBytes: Float64Array;
  private readonly headerBytes: Float64Array;
  private readonly sizeMin: Uint32Array;
  private readonly sizeMax: Uint32Array;
  private readonly sizeMean: Float64Array;
  private readonly sizeM2: Float64Array;
  private readonly lastNs: Float64Array;
  private readonly iatMin: Float64Array;
  private readonly iatMax: Float64Array;
  private readonly iatMean: Float64Array;
  private readonly iatM2: Float64Array;
  /** FIN SYN RST PSH ACK URG ECE CWR counts, 8 per side */
  private readonly flags: Uint32Array;
  private readonly initWindow: Int32Array;
  private readonly firstTtl: Int16Array;

  constructor(table: FlowSlots) {
    this.table = table;
    const n = table.capacity * 2;
    this.packets = new Float64Array(n);
    this.bytesWire = new Float64Array(n);
    this.payloadBytes = new Float64Array(n);
    this.headerBytes = new Float64Array(n);
    this.sizeMin = new Uint32Array(n);
    this.sizeMax = new Uint32Array(n);
    this.sizeMean = new Float64Array(n);
    this.sizeM2 = new Float64Array(n);
    this.lastNs = new Float64Array(n);
    this.iatMin = new Float64Array(n);
    this.iatMax = new Float64Array(n);
    this.iatMean = new Float64Array(n);
    this.iatM2 = new Float64Array(n);
    this.flags = new Uint32Array(n * FLAG_COUNTERS);
    this.initWindow = new Int32Array(n);
    this.firstTtl = new Int16Array(n);
  }

  open(slot: number): void {
    // the fields a first packet sets (min, max, means, last time) need no reset
    for (let i = slot * 2; i < slot * 2 + 2; i++) {
      this.packets[i] = 0;
      this.bytesWire[i] = 0;
      this.payloadBytes[i] = 0;
      this.headerBytes[i] = 0;
      this.initWindow[i] = -1;
      this.firstTtl[i] = -1;
    }
    const flags = this.flags;
    for (let i = slot * 2 * FLAG_COUNTERS, end = i + 2 * FLAG_COUNTERS; i < end; i++) flags[i] = 0;
  }

  update(slot: number, side: number, meta: PacketMeta, timeNs: number, wireLen: number): void {
    const i = slot * 2 + side;
    const n = this.packets[i] + 1;
    this.packets[i] = n;
    this.bytesWire[i] += wireLen;
    const payload = meta.payloadLen > 0 ? meta.payloadLen : 0;
    this.payloadBytes[i] += payload;
    if (meta.ipLen > payload) this.headerBytes[i] += meta.ipLen - payload;
    if (n === 1) {
      this.sizeMin[i] = wireLen;
      this.sizeMax[i] = wireLen;
      this.sizeMean[i] = wireLen;
      this.sizeM2[i] = 0;
      this.lastNs[i] = timeNs;
      this.firstTtl[i] = meta.ttl;
    } else {
      if (wireLen < this.sizeMin[i]) this.sizeMin[i] = wireLen;
      if (wireLen > this.sizeMax[i]) this.sizeMax[i] = wireLen;
      const mean = this.sizeMean[i];
      const delta = wireLen - mean;
      const newMean = mean + delta / n;
      this.sizeMean[i] = newMean;
      this.sizeM2[i] += delta * (wireLen - newMean);

      const iat = timeNs - this.lastNs[i];
      this.lastNs[i] = timeNs;
      const k = n - 1;
      if (k === 1) {
        this.iatMin[i] = iat;
        this.iatMax[i] = iat;
        this.iatMean[i] = iat;
        this.iatM2[i] = 0;
      } else {
        if (iat < this.iatMin[i]) this.iatMin[i] = iat;
        if (iat > this.iatMax[i]) this.iatMax[i] = iat;
        const m = this.iatMean[i];
        const d = iat - m;
        const nm = m + d / k;
        this.iatMean[i] = nm;
        this.iatM2[i] += d * (iat - nm);
      }
    }
    const f = meta.tcpFlags;
    if (f >= 0 && meta.ipProto === 6) {
      if (this.initWindow[i] < 0) this.initWindow[i] = meta.tcpWindow;
      if ((f & 0xff) !== 0) {
        const c = i * FLAG_COUNTERS;
        const flags = this.flags;
        if (f & 1) flags[c]++;
        if (f & 2) flags[c + 1]++;
        if (f & 4) flags[c + 2]++;
        if (f & 8) flags[c + 3]++;
        if (f & 16) flags[c + 4]++;
        if (f & 32) flags[c + 5]++;
        if (f & 64) flags[c + 6]++;
        if (f & 128) flags[c + 7]++;
      }
    }
  }

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    const client = this.table.clientSide(slot);
    const fwd = slot * 2 + client;
    const bwd = slot * 2 + (client ^ 1);
    const n = row.numbers;
    this.writeDirection(fwd, n, at);
    this.writeDirection(bwd, n, at + PER_DIRECTION);
    const durationNs = this.table.lastNs(slot) - this.table.firstNs(slot);
    const packets = this.packets[fwd] + this.packets[bwd];
    const bytes = this.bytesWire[fwd] + this.bytesWire[bwd];
    const c = at + 2 * PER_DIRECTION;
    n[c] = durationNs;
    n[c + 1] = durationNs > 0 ? (packets * 1e9) / durationNs : 0;
    n[c + 2] = durationNs > 0 ? (bytes * 1e9) / durationNs : 0;
    n[c + 3] = this.packets[fwd] > 0 ? this.packets[bwd] / this.packets[fwd] : 0;
  }

  private writeDirection(i: number, n: Float64Array, c: number): void {
    const packets = this.packets[i];
    n[c] = packets;
    n[c + 1] = this.bytesWire[i];
    n[c + 2] = this.payloadBytes[i];
    n[c + 3] = this.headerBytes[i];
    if (packets > 0) {
      n[c + 4] = this.sizeMin[i];
      n[c + 5] = this.sizeMax[i];
      n[c + 6] = this.sizeMean[i];
      n[c + 7] = sampleStd(this.sizeM2[i], packets);
    } else {
      n[c + 4] = n[c + 5] = n[c + 6] = n[c + 7] = 0;
    }
    if (packets > 1) {
      n[c + 8] = this.iatMin[i];
      n[c + 9] = this.iatMax[i];
      n[c + 10] = this.iatMean[i];
      n[c + 11] = sampleStd(this.iatM2[i], packets - 1);
    } else {
      n[c + 8] = n[c + 9] = n[c + 10] = n[c + 11] = 0;
    }
    const f = i * FLAG_COUNTERS;
    const flags = this.flags;
    for (let k = 0; k < FLAG_COUNTERS; k++) n[c + 12 + k] = flags[f + k];
    n[c + 20] = this.initWindow[i];
    n[c + 21] = this.firstTtl[i];
  }
}
