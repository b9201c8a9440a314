// Why the flow record ended: idle, active, fin, rst, end-of-input or evicted (flow-table.ts has the rules).

import { endReasonNames, type EndReason } from '../flow/flow-table.js';
import { FLOW_OUTCOME_COLUMNS } from '../schema/flow-columns.js';
import { ascii, CellFormat, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

const END_REASON_TEXT = endReasonNames.map(ascii);

export class FlowOutcomeGroup implements FlowFeatureGroup {
  readonly columns = FLOW_OUTCOME_COLUMNS;
  readonly formats = [CellFormat.text];
  readonly bytesPerFlow = 0;

  open(): void {}

  write(_slot: number, reason: EndReason, row: FlowRow, at: number): void {
    row.text(at, END_REASON_TEXT[reason]);
  }
}
