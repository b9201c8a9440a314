// Prints the packets.csv column table in Markdown; with --write-readme, replaces it between README's
// schema markers (a test fails when README and the schema drift apart).
import { readFileSync, writeFileSync } from 'node:fs';
import { columnsMarkdown } from '../schema/markdown.js';
import { PACKET_COLUMNS, PACKETS_SCHEMA_VERSION } from '../schema/packet-columns.js';

export const README_SCHEMA_START = '<!-- schema:packets:start -->';
export const README_SCHEMA_END = '<!-- schema:packets:end -->';
const table = `Schema version \`${PACKETS_SCHEMA_VERSION}\`.\n\n${columnsMarkdown(PACKET_COLUMNS)}`;

if (process.argv.includes('--write-readme')) {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(README_SCHEMA_START);
  const end = readme.indexOf(README_SCHEMA_END);
  writeFileSync('README.md', `${readme.slice(0, start + README_SCHEMA_START.length)}\n${table}\n${readme.slice(end)}`);
} else {
  process.stdout.write(`${table}\n`);
}
