// Synthetic features CSVs with the real flow header, for train/detect tests: identifier and text columns get
// plausible fixed values, the numeric feature columns whatever the test's `value(row, k)` says.
import { writeFileSync } from 'node:fs';
import { FLOW_COLUMNS } from '../../src/schema/flow-columns.js';
import { numericColumns, KNOWN_SCHEMAS } from '../../src/schema/feature-schemas.js';

export const FEATURE_NAMES = numericColumns(KNOWN_SCHEMAS[0], false).map((c) => c.name);

const TEXT_VALUES: Record<string, string> = { protocol: 'tcp', client_from: 'syn', conn_state: 'SF', history: 'ShADadFf', end_reason: 'fin' };

export interface FeatureCsvSpec {
  rows: number;
  /** value of feature number k (index into FEATURE_NAMES) of a row */
  value: (row: number, k: number) => number;
  label?: (row: number) => string;
}

export function featureCsvText(spec: FeatureCsvSpec): string {
  const header = FLOW_COLUMNS.map((c) => c.name);
  if (spec.label) header.push('label');
  const lines = [header.join(',')];
  const featureIndex = new Map(FEATURE_NAMES.map((name, k) => [name, k]));
  for (let r = 0; r < spec.rows; r++) {
    const cells = FLOW_COLUMNS.map((c) => {
      const k = featureIndex.get(c.name);
      if (k !== undefined) return String(spec.value(r, k));
      switch (c.name) {
        case 'flow_id':
          return String(r + 1);
        case 'start_time_s':
          return (1700000000 + r).toFixed(9);
        case 'end_time_s':
          return (1700000001 + r).toFixed(9);
        case 'src_addr':
          return `10.0.${(r >> 8) & 255}.${r & 255}`;
        case 'dst_addr':
          return r % 2 ? '192.168.1.1' : '2001:db8::1';
        case 'src_port':
          return String(40000 + (r % 20000));
        case 'dst_port':
          return '443';
        case 'vlan_id':
          return '0';
        default:
          return TEXT_VALUES[c.name] ?? '0';
      }
    });
    if (spec.label) cells.push(spec.label(r));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function writeFeatureCsv(path: string, spec: FeatureCsvSpec): string {
  writeFileSync(path, featureCsvText(spec));
  return path;
}
