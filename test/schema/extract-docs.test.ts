// docs/extract.md shows the host, packet-feature and CIC columns generated from the schema modules, never
// hand-edited. UPDATE_DOCS=1 rewrites the tables from the schemas instead of checking them.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CIC_COLUMNS } from '../../src/schema/cic-columns.js';
import { EXTRACT_DOCS_SECTIONS, sectionMarkdown, updateExtractDocs } from '../../src/schema/extract-docs.js';
import { HOST_COLUMNS } from '../../src/schema/host-columns.js';
import { PACKET_FEATURE_COLUMNS } from '../../src/schema/packet-feature-columns.js';

const DOCS = new URL('../../docs/extract.md', import.meta.url);

describe('docs/extract.md', () => {
  if (process.env.UPDATE_DOCS === '1') writeFileSync(DOCS, updateExtractDocs(readFileSync(DOCS, 'utf8')));

  it.each(EXTRACT_DOCS_SECTIONS.map((s) => [s.id, s] as const))('shows the %s columns exactly as the schema defines them', (_id, section) => {
    const docs = readFileSync(DOCS, 'utf8');
    expect(docs).toContain(`<!-- schema:${section.id}:start -->\n${sectionMarkdown(section)}\n<!-- schema:${section.id}:end -->`);
  });

  it.each([
    ['hosts', HOST_COLUMNS],
    ['packet-features', PACKET_FEATURE_COLUMNS],
  ] as const)('%s: unique names, units in the names that have one, addresses and times marked as identifiers', (_id, columns) => {
    expect(new Set(columns.map((c) => c.name)).size).toBe(columns.length);
    for (const c of columns) {
      if (c.unit === 's') expect(c.name, c.name).toMatch(/_s$/);
      if (c.unit === 'bytes') expect(c.name, c.name).toMatch(/bytes/);
      if (c.type === 'ip' || /time/.test(c.name)) expect(c.identifier, c.name).toBe(true);
    }
  });

  it('cic: the names are the public CIC-IDS2017 header, identifiers marked', () => {
    expect(CIC_COLUMNS).toHaveLength(85);
    const ids = CIC_COLUMNS.filter((c) => c.identifier).map((c) => c.name.trim());
    expect(ids).toEqual(['Flow ID', 'Source IP', 'Source Port', 'Destination IP', 'Destination Port', 'Timestamp']);
  });
});
