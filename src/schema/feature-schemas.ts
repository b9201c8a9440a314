// The tables netml knows how to read back, keyed by schema version: which columns a features CSV must have,
// in which order, what one row stands for, and whether a model can train on it. The column lists
// themselves live in flow-columns.ts and packet-columns.ts; this only gathers them for readers.

import { FLOW_COLUMNS, FLOWS_SCHEMA_VERSION, LABEL_COLUMN } from './flow-columns.js';
import { PACKET_COLUMNS, PACKETS_SCHEMA_VERSION, type ColumnSpec } from './packet-columns.js';

export interface KnownSchema {
  version: string;
  /** what one row is */
  level: string;
  columns: readonly ColumnSpec[];
  /** a model can be trained on it (packets.csv cannot: its numbers may be empty cells) */
  trainable: boolean;
  /** the file netml writes with this schema, for messages */
  usualFile: string;
  /** what to run to make a trainable table from it */
  makeWith: string;
}

export const LABEL_COLUMN_NAME = LABEL_COLUMN.name;

export const KNOWN_SCHEMAS: readonly KnownSchema[] = [
  { version: FLOWS_SCHEMA_VERSION, level: 'flow', columns: FLOW_COLUMNS, trainable: true, usualFile: 'dataset/features.csv', makeWith: 'netml extract' },
  { version: PACKETS_SCHEMA_VERSION, level: 'packet', columns: PACKET_COLUMNS, trainable: false, usualFile: 'dataset/packets.csv', makeWith: 'netml extract' },
];

export const TRAINABLE_SCHEMA_VERSIONS: readonly string[] = KNOWN_SCHEMAS.filter((s) => s.trainable).map((s) => s.version);

/** Numeric columns, as a model reads them: identifiers only when asked for. */
export function numericColumns(schema: KnownSchema, includeIdentifiers: boolean): ColumnSpec[] {
  return schema.columns.filter((c) => (c.type === 'int' || c.type === 'float') && (includeIdentifiers || !c.identifier));
}
