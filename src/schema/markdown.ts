// Renders a column list as the Markdown table README shows, so the documentation is generated from the
// schema and a test can prove README has not drifted from it.

import type { ColumnSpec } from './packet-columns.js';

export function columnsMarkdown(columns: readonly ColumnSpec[]): string {
  const lines = ['| # | column | type | unit | meaning |', '|---:|---|---|---|---|'];
  columns.forEach((c, i) => {
    const meaning = c.identifier ? `${c.description} (identifier: left out of training by default)` : c.description;
    lines.push(`| ${i + 1} | \`${c.name}\` | ${c.type} | ${c.unit ?? ''} | ${meaning.replace(/\|/g, '\\|')} |`);
  });
  return lines.join('\n');
}
