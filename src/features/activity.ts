// Active and idle periods (CICFlowMeter's Active/Idle features, with its mistake fixed: they are durations,
// never timestamps, FLOWS.md mistake 4). A gap between two packets longer than ACTIVITY_GAP_S ends an
// active period (first to last packet of a burst) and is itself an idle period. The last active period is
// closed when the row is written, so every flow has at least one.

import type { PacketMeta } from '../decode/packet-meta.js';
import type { EndReason } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { ACTIVITY_GAP_S, FLOW_ACTIVITY_COLUMNS } from '../schema/flow-columns.js';
import { CellFormat, repeat, sampleStd, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

const GAP_NS = ACTIVITY_GAP_S * 1e9;

// Per flow slot, STRIDE doubles together (a flow's state is two cache lines, not eleven arrays): the start
// of the current active period, then count, min, max, mean, M2 of the active periods and of the idle gaps.
const START = 0;
const ACTIVE = 1;
const IDLE = 6;
const STRIDE = 11;

/** Welford update of [count, min, max, mean, m2] at s[at..] with v. */
function add(s: Float64Array, at: number, v: number): void {
  const n = ++s[at];
  if (n === 1) {
    s[at + 1] = v;
    s[at + 2] = v;
    s[at + 3] = v;
    s[at + 4] = 0;
    return;
  }
  if (v < s[at + 1]) s[at + 1] = v;
  if (v > s[at + 2]) s[at + 2] = v;
  const delta = v - s[at + 3];
  const mean = s[at + 3] + delta / n;
  s[at + 3] = mean;
  s[at + 4] += delta * (v - mean);
}

/** min, max, mean, std of [count, min, max, mean, m2] at s[at..] into n[c..c+3]; zeros when empty. */
function put(s: Float64Array, at: number, n: Float64Array, c: number): void {
  const count = s[at];
  if (count === 0) {
    n[c] = n[c + 1] = n[c + 2] = n[c + 3] = 0;
    return;
  }
  n[c] = s[at + 1];
  n[c + 1] = s[at + 2];
  n[c + 2] = s[at + 3];
  n[c + 3] = sampleStd(s[at + 4], count);
}

export class ActivityGroup implements FlowFeatureGroup {
  readonly columns = FLOW_ACTIVITY_COLUMNS;
  readonly formats = [CellFormat.int, ...repeat(CellFormat.seconds, 8)];
  readonly bytesPerFlow = STRIDE * 8;
  private readonly table: FlowSlots;
  private readonly s: Float64Array;

  constructor(table: FlowSlots) {
    this.table = table;
    this.s = new Float64Array(table.capacity * STRIDE);
  }

  open(slot: number): void {
    const b = slot * STRIDE;
    this.s[b + START] = this.table.firstNs(slot);
    this.s[b + ACTIVE] = 0;
    this.s[b + IDLE] = 0;
  }

  update(slot: number, _side: number, _meta: PacketMeta, timeNs: number): void {
    // the table sets the last time after its observers ran, so here it is still the previous packet's
    const previous = this.table.lastNs(slot);
    const gap = timeNs - previous;
    if (gap > GAP_NS) {
      const b = slot * STRIDE;
      add(this.s, b + ACTIVE, previous - this.s[b + START]);
      add(this.s, b + IDLE, gap);
      this.s[b + START] = timeNs;
    }
  }

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    const b = slot * STRIDE;
    const s = this.s;
    add(s, b + ACTIVE, this.table.lastNs(slot) - s[b + START]);
    row.numbers[at] = s[b + ACTIVE];
    put(s, b + ACTIVE, row.numbers, at + 1);
    put(s, b + IDLE, row.numbers, at + 5);
  }
}
