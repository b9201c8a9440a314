// The tables netml knows how to read back, keyed by schema version: which columns a features CSV must have,
// in which order, what one row stands for, and whether a model can train on it. The column lists
// themselves live in flow-columns.ts and packet-columns.ts; this only gathers them for readers.

import { CIC_FEATURE_COLUMNS, CIC_LABEL_COLUMN, CIC_SCHEMA_VERSION, DEFAULT_CIC_LABEL } from './cic-columns.js';
import { DEFAULT_LABEL, FLOW_COLUMNS, FLOWS_SCHEMA_VERSION, LABEL_COLUMN } from './flow-columns.js';
import { HOST_COLUMNS, HOSTS_SCHEMA_VERSION } from './host-columns.js';
import { PACKET_COLUMNS, PACKETS_SCHEMA_VERSION, type ColumnSpec } from './packet-columns.js';
import { PACKET_FEATURE_COLUMNS, PACKET_FEATURES_SCHEMA_VERSION } from './packet-feature-columns.js';

export interface KnownSchema {
  version: string;
  /** what one row is */
  level: 'flow' | 'host' | 'packet';
  /** netml's own columns, or CICFlowMeter's (`netml extract --format cic`) */
  format: 'netml' | 'cic';
  columns: readonly ColumnSpec[];
  /** a model can be trained on it (packets.csv cannot: its numbers may be empty cells) */
  trainable: boolean;
  /** the file netml writes with this schema, for messages */
  usualFile: string;
  /** what to run to make a trainable table from it */
  makeWith: string;
  /** name of the optional label column after the schema's columns (`netml extract --labels`) */
  labelColumn: string;
  /** the label `extract` gives rows no rule matched: ordinary traffic */
  normalLabel: string;
}

const LABEL = { labelColumn: LABEL_COLUMN.name, normalLabel: DEFAULT_LABEL };

/** Every table `netml extract` writes (and packets.csv, which only extract reads); the first is the default. */
export const KNOWN_SCHEMAS: readonly KnownSchema[] = [
  { version: FLOWS_SCHEMA_VERSION, level: 'flow', format: 'netml', columns: FLOW_COLUMNS, trainable: true, usualFile: 'dataset/features.csv', makeWith: 'netml extract', ...LABEL },
  { version: HOSTS_SCHEMA_VERSION, level: 'host', format: 'netml', columns: HOST_COLUMNS, trainable: true, usualFile: 'dataset/host-features.csv', makeWith: 'netml extract --level host', ...LABEL },
  {
    version: PACKET_FEATURES_SCHEMA_VERSION,
    level: 'packet',
    format: 'netml',
    columns: PACKET_FEATURE_COLUMNS,
    trainable: true,
    usualFile: 'dataset/packet-features.csv',
    makeWith: 'netml extract --level packet',
    ...LABEL,
  },
  {
    version: CIC_SCHEMA_VERSION,
    level: 'flow',
    format: 'cic',
    columns: CIC_FEATURE_COLUMNS,
    trainable: true,
    usualFile: 'dataset/features-cic.csv',
    makeWith: 'netml extract --format cic',
    labelColumn: CIC_LABEL_COLUMN.name,
    normalLabel: DEFAULT_CIC_LABEL,
  },
  { version: PACKETS_SCHEMA_VERSION, level: 'packet', format: 'netml', columns: PACKET_COLUMNS, trainable: false, usualFile: 'dataset/packets.csv', makeWith: 'netml extract', ...LABEL },
];

export const TRAINABLE_SCHEMA_VERSIONS: readonly string[] = KNOWN_SCHEMAS.filter((s) => s.trainable).map((s) => s.version);

/**
 * Numeric columns, as a model reads them: identifiers only when asked for. A name the header repeats (CIC's
 * ' Fwd Header Length') is read once, from its first column.
 */
export function numericColumns(schema: KnownSchema, includeIdentifiers: boolean): ColumnSpec[] {
  const seen = new Set<string>();
  return schema.columns.filter((c) => {
    if (seen.has(c.name)) return false;
    seen.add(c.name);
    return (c.type === 'int' || c.type === 'float') && (includeIdentifiers || !c.identifier);
  });
}
