// README documents packets.csv; this keeps it generated from the one schema module instead of hand-edited.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { columnsMarkdown } from '../../src/schema/markdown.js';
import { PACKET_COLUMNS, PACKETS_SCHEMA_VERSION } from '../../src/schema/packet-columns.js';

describe('README', () => {
  it('shows the packets.csv columns exactly as the schema defines them (npm run build && node dist/tools/print-schema.js --write-readme)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(`Schema version \`${PACKETS_SCHEMA_VERSION}\`.\n\n${columnsMarkdown(PACKET_COLUMNS)}\n`);
  });

  it('has unique column names', () => {
    expect(new Set(PACKET_COLUMNS.map((c) => c.name)).size).toBe(PACKET_COLUMNS.length);
  });
});
