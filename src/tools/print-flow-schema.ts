// Prints the features.csv (--level flow) column table in Markdown; with --write-docs, replaces it between
// the schema markers of docs/extract.md (test/schema/flow-columns.test.ts fails when they drift apart).
import { readFileSync, writeFileSync } from 'node:fs';
import { FLOW_COLUMNS, FLOWS_SCHEMA_VERSION } from '../schema/flow-columns.js';
import { columnsMarkdown } from '../schema/markdown.js';

export const DOCS_PATH = 'docs/extract.md';
export const FLOW_SCHEMA_START = '<!-- schema:flows:start -->';
export const FLOW_SCHEMA_END = '<!-- schema:flows:end -->';

export function flowSchemaMarkdown(): string {
  return `Schema version \`${FLOWS_SCHEMA_VERSION}\`.\n\n${columnsMarkdown(FLOW_COLUMNS)}`;
}

if (process.argv.includes('--write-docs')) {
  const docs = readFileSync(DOCS_PATH, 'utf8');
  const start = docs.indexOf(FLOW_SCHEMA_START);
  const end = docs.indexOf(FLOW_SCHEMA_END);
  writeFileSync(DOCS_PATH, `${docs.slice(0, start + FLOW_SCHEMA_START.length)}\n${flowSchemaMarkdown()}\n${docs.slice(end)}`);
} else if (process.argv[1]?.endsWith('print-flow-schema.js')) {
  process.stdout.write(`${flowSchemaMarkdown()}\n`);
}
