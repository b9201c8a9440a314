// The flow feature set: the groups that make features.csv at --level flow, composed in schema order, and
// the FlowObserver that feeds them from the flow table. A finished flow becomes one row: every group puts
// its block of cells into the reused FlowRow, then the row sink formats and writes it.

import type { PacketMeta } from '../decode/packet-meta.js';
import { FlowTable, flowTableBytesPerFlow, type EndReason, type FlowObserver } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import type { ColumnSpec } from '../schema/packet-columns.js';
import { ActivityGroup } from './activity.js';
import { DirectionStatsGroup } from './direction-stats.js';
import { FlowRowLayout, type CellFormat, type FlowFeatureGroup, type FlowRow } from './feature-group.js';
import { FlowIdentityGroup } from './flow-identity.js';
import { FlowOutcomeGroup } from './flow-outcome.js';
import { TcpStateGroup } from './tcp-state.js';

/** Where finished rows go (the CSV writer, or a ring that another thread formats): fill nextRow(), commit(). */
export interface RowSink {
  /** the row to fill next; valid until commit() */
  nextRow(): FlowRow;
  commit(): void;
}

/** The groups of features.csv at --level flow, in column order (FLOW_COLUMNS is the same order). */
export function flowGroups(table: FlowSlots): FlowFeatureGroup[] {
  return [new FlowIdentityGroup(table), new DirectionStatsGroup(table), new ActivityGroup(table), new TcpStateGroup(table), new FlowOutcomeGroup()];
}

/** Bytes of table and feature state per flow slot, for sizing --max-flows from a memory budget. */
export function flowBytesPerSlot(groupsFor: (table: FlowSlots) => FlowFeatureGroup[] = flowGroups): number {
  const probe = new FlowTable({ idleTimeoutS: 1, activeTimeoutS: 1, maxFlows: 1 });
  return flowTableBytesPerFlow() + groupsFor(probe).reduce((n, g) => n + g.bytesPerFlow, 0);
}

export class FlowFeatureSet implements FlowObserver {
  readonly columns: readonly ColumnSpec[];
  readonly formats: readonly CellFormat[];
  rowsWritten = 0;
  readonly layout: FlowRowLayout;
  private readonly groups: FlowFeatureGroup[];
  /** the groups that do something per packet */
  private readonly updating: FlowFeatureGroup[];
  /** first column of each group */
  private readonly offsets: number[];
  private sink: RowSink | undefined;

  /** `textBytes`: the longest text cell, when a group writes longer texts than MAX_TEXT_BYTES (the CIC Flow ID). */
  constructor(groups: FlowFeatureGroup[], textBytes?: number) {
    this.groups = groups;
    this.columns = groups.flatMap((g) => g.columns);
    this.formats = groups.flatMap((g) => g.formats);
    for (const g of groups) {
      if (g.formats.length !== g.columns.length) throw new Error(`${g.constructor.name}: ${g.columns.length} columns but ${g.formats.length} formats`);
    }
    let at = 0;
    this.offsets = groups.map((g) => {
      const first = at;
      at += g.columns.length;
      return first;
    });
    this.layout = new FlowRowLayout(this.formats, textBytes);
    this.updating = groups.filter((g) => g.update !== undefined);
  }

  /** The group of that class, if the set has one. */
  find<T extends FlowFeatureGroup>(type: abstract new (...args: never[]) => T): T | undefined {
    return this.groups.find((g): g is T => g instanceof type);
  }

  attach(sink: RowSink): void {
    this.sink = sink;
  }

  open(slot: number, continued: boolean, meta: PacketMeta): void {
    const groups = this.groups;
    for (let i = 0; i < groups.length; i++) groups[i].open(slot, continued, meta);
  }

  update(slot: number, side: number, meta: PacketMeta, timeNs: number, wireLen: number): void {
    const groups = this.updating;
    for (let i = 0; i < groups.length; i++) groups[i].update!(slot, side, meta, timeNs, wireLen);
  }

  close(slot: number, reason: EndReason): void {
    const sink = this.sink;
    if (sink === undefined) throw new Error('FlowFeatureSet: attach a row sink before feeding packets');
    const row = sink.nextRow();
    const groups = this.groups;
    for (let i = 0; i < groups.length; i++) groups[i].write(slot, reason, row, this.offsets[i]);
    sink.commit();
    this.rowsWritten++;
  }
}
