// Which feature groups make the flow table's columns: netml's (or groups a caller gives), CICFlowMeter's
// with --format cic, plus a label column with --labels. The extract thread and the flow feature thread both
// build their groups from this, so they agree on the columns.

import type { FlowSlots } from '../flow/flow-slots.js';
import { CIC_LABEL_COLUMN, DEFAULT_CIC_LABEL } from '../schema/cic-columns.js';
import { cicFlowGroups, CIC_TEXT_BYTES } from './cic-flow.js';
import type { FlowFeatureGroup } from './feature-group.js';
import { flowGroups } from './flow-feature-set.js';
import { FlowLabelGroup, type LabelRule } from './flow-labels.js';

export interface FlowGroupChoice {
  /** `cic`: CICFlowMeter's column set instead of netml's (groups is then ignored) */
  format?: 'netml' | 'cic';
  /** --labels rules (a label column is added) */
  rules?: readonly LabelRule[];
  /** the feature groups; default the standard flow groups (more can be appended, e.g. a label) */
  groups?: (slots: FlowSlots) => FlowFeatureGroup[];
}

/** The groups to build for a table, and the longest text cell they write (undefined: the default). */
export function chooseFlowGroups(choice: FlowGroupChoice): { groupsFor: (slots: FlowSlots) => FlowFeatureGroup[]; textBytes: number | undefined } {
  const rules = choice.rules;
  if (choice.format === 'cic') {
    // CIC-IDS2017's CSVs always end with the Label column: BENIGN unless a rule says otherwise
    return { groupsFor: (t) => [...cicFlowGroups(t), new FlowLabelGroup(t, rules ?? [], CIC_LABEL_COLUMN, DEFAULT_CIC_LABEL)], textBytes: CIC_TEXT_BYTES };
  }
  const base = choice.groups ?? flowGroups;
  if (rules === undefined) return { groupsFor: base, textBytes: undefined };
  return { groupsFor: (t) => [...base(t), new FlowLabelGroup(t, rules)], textBytes: undefined };
}
