// docs/extract.md shows the features.csv columns generated from the schema module, never hand-edited.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLOW_COLUMNS } from '../../src/schema/flow-columns.js';
import { flowSchemaMarkdown } from '../../src/tools/print-flow-schema.js';

describe('docs/extract.md', () => {
  it('shows the features.csv columns exactly as the schema defines them (npm run build && node dist/tools/print-flow-schema.js --write-docs)', () => {
    const docs = readFileSync(new URL('../../docs/extract.md', import.meta.url), 'utf8');
    expect(docs).toContain(`${flowSchemaMarkdown()}\n`);
  });

  it('describes every column with a unit in its name where it has one', () => {
    for (const c of FLOW_COLUMNS) {
      if (c.unit === 's') expect(c.name, c.name).toMatch(/_s$/);
      if (c.unit === 'bytes') expect(c.name, c.name).toMatch(/bytes/);
    }
  });
});
