// Active and idle periods (CICFlowMeter's Active/Idle features, with its mistake fixed: they are durations,
// never timestamps, FLOWS.md mistake 4). A gap between two packets longer than ACTIVITY_GAP_S ends an
// active period (first to last packet of a burst) and is itself an idle period. The last active period is
// closed when the row is written, so every flow has at least one.

import type { PacketMeta } from '../decode/packet-meta.js';
import type { EndReason, FlowTable } from '../flow/flow-table.js';
import { ACTIVITY_GAP_S, FLOW_ACTIVITY_COLUMNS } from '../schema/flow-columns.js';
import { CellFormat, repeat, sampleStd, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

const GAP_NS = ACTIVITY_GAP_S * 1e9;

/** Running count, min, max, mean and M2 (Welford) of durations, per flow slot. */
class DurationStats {
  readonly count: Uint32Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;

  constructor(capacity: number) {
    this.count = new Uint32Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.mean = new Float64Array(capacity);
    this.m2 = new Float64Array(capacity);
  }

  add(slot: number, ns: number): void {
    const n = ++this.count[slot];
    if (n === 1) {
      this.min[slot] = ns;
      this.max[slot] = ns;
      this.mean[slot] = ns;
      this.m2[slot] = 0;
      return;
    }
    if (ns < this.min[slot]) this.min[slot] = ns;
    if (ns > this.max[slot]) this.max[slot] = ns;
    const delta = ns - this.mean[slot];
    const mean = this.mean[slot] + delta / n;
    this.mean[slot] = mean;
    this.m2[slot] += delta * (ns - mean);
  }

  /** min, max, mean, std into n[at..at+3]; zeros when empty */
  write(slot: number, n: Float64Array, at: number): void {
    const count = this.count[slot];
    if (count === 0) {
      n[at] = n[at + 1] = n[at + 2] = n[at + 3] = 0;
      return;
    }
    n[at] = this.min[slot];
    n[at + 1] = this.max[slot];
    n[at + 2] = this.mean[slot];
    n[at + 3] = sampleStd(this.m2[slot], count);
  }
}

export class ActivityGroup implements FlowFeatureGroup {
  readonly columns = FLOW_ACTIVITY_COLUMNS;
  readonly formats = [CellFormat.int, ...repeat(CellFormat.seconds, 8)];
  readonly bytesPerFlow = 8 + 2 * (4 + 4 * 8);
  private readonly table: FlowTable;
  private readonly activeStartNs: Float64Array;
  private readonly active: DurationStats;
  private readonly idle: DurationStats;

  constructor(table: FlowTable) {
    this.table = table;
    this.activeStartNs = new Float64Array(table.capacity);
    this.active = new DurationStats(table.capacity);
    this.idle = new DurationStats(table.capacity);
  }

  open(slot: number): void {
    this.activeStartNs[slot] = this.table.firstNs(slot);
    this.active.count[slot] = 0;
    this.idle.count[slot] = 0;
  }

  update(slot: number, _side: number, _meta: PacketMeta, timeNs: number): void {
    // the table sets the last time after its observers ran, so here it is still the previous packet's
    const previous = this.table.lastNs(slot);
    const gap = timeNs - previous;
    if (gap > GAP_NS) {
      this.active.add(slot, previous - this.activeStartNs[slot]);
      this.idle.add(slot, gap);
      this.activeStartNs[slot] = timeNs;
    }
  }

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    this.active.add(slot, this.table.lastNs(slot) - this.activeStartNs[slot]);
    row.numbers[at] = this.active.count[slot];
    this.active.write(slot, row.numbers, at + 1);
    this.idle.write(slot, row.numbers, at + 5);
  }
}
