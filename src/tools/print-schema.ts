// Prints the packets.csv column table in Markdown (paste into README when the schema changes; a test checks it).
import { columnsMarkdown } from '../schema/markdown.js';
import { PACKET_COLUMNS, PACKETS_SCHEMA_VERSION } from '../schema/packet-columns.js';

process.stdout.write(`Schema version \`${PACKETS_SCHEMA_VERSION}\`.\n\n${columnsMarkdown(PACKET_COLUMNS)}\n`);
