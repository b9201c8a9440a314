// The column tables of docs/extract.md for the host level, the packet level, the CIC format and the derived
// client-activity set, generated
// from the schema modules (the flow table comes from src/tools/print-flow-schema.ts). A test fails when the
// documentation drifts from the schemas, and rewrites the tables between their markers when asked:
//   UPDATE_DOCS=1 npx vitest run test/schema/extract-docs.test.ts

import { CIC_COLUMNS, CIC_SCHEMA_VERSION } from './cic-columns.js';
import { CLIENT_ACTIVITY_COLUMNS, CLIENT_ACTIVITY_VERSION } from './client-activity-columns.js';
import { HOST_COLUMNS, HOSTS_SCHEMA_VERSION } from './host-columns.js';
import { columnsMarkdown } from './markdown.js';
import { PACKET_FEATURE_COLUMNS, PACKET_FEATURES_SCHEMA_VERSION } from './packet-feature-columns.js';
import type { ColumnSpec } from './packet-columns.js';

export interface DocsSection {
  /** the marker name: <!-- schema:ID:start --> ... <!-- schema:ID:end --> */
  id: string;
  version: string;
  columns: readonly ColumnSpec[];
}

export const EXTRACT_DOCS_SECTIONS: readonly DocsSection[] = [
  { id: 'hosts', version: HOSTS_SCHEMA_VERSION, columns: HOST_COLUMNS },
  { id: 'packet-features', version: PACKET_FEATURES_SCHEMA_VERSION, columns: PACKET_FEATURE_COLUMNS },
  { id: 'cic', version: CIC_SCHEMA_VERSION, columns: CIC_COLUMNS },
  { id: 'client-activity', version: CLIENT_ACTIVITY_VERSION, columns: CLIENT_ACTIVITY_COLUMNS },
];

export function sectionMarkdown(section: DocsSection): string {
  // CIC names keep their leading spaces inside the backticks, so the table shows the exact header
  return `Schema version \`${section.version}\`.\n\n${columnsMarkdown(section.columns)}`;
}

/** The docs text with every section's table replaced by the generated one. */
export function updateExtractDocs(text: string): string {
  let out = text;
  for (const section of EXTRACT_DOCS_SECTIONS) {
    const start = `<!-- schema:${section.id}:start -->`;
    const end = `<!-- schema:${section.id}:end -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/extract.md has no ${start} ... ${end} markers`);
    out = `${out.slice(0, a + start.length)}\n${sectionMarkdown(section)}\n${out.slice(b)}`;
  }
  return out;
}
