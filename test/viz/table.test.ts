// Summary tables fit the terminal: values wrap at spaces, a word longer than the column (a path) is cut
// into pieces, never shortened, and without a width (not a terminal) nothing wraps.
import { describe, expect, it } from 'vitest';
import { keyValueTable, tableWidth, wrapText } from '../../src/viz/table.js';

const rows: [string, string][] = [
  ['read', '/work/data/a/rather/long/path/to/the/capture-file.pcapng (pcapng, 6,977 packets)'],
  ['wrote', 'results/detections.csv\nresults/summary.json'],
];

describe('key/value tables', () => {
  it.each([40, 60, 80])('fit %i columns with every character of every value kept', (width) => {
    const text = keyValueTable(rows, false, width);
    const lines = text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(width);
    // the value column's text, read top to bottom, holds every value whole (spaces aside)
    const valueText = lines.map((l) => l.split('│')[2] ?? '').join('').replace(/\s/g, '');
    for (const [, v] of rows) expect(valueText).toContain(v.replace(/\s/g, ''));
    expect(text).not.toContain('…');
  });

  it('does not wrap without a width, or when the table fits', () => {
    expect(keyValueTable(rows, false)).toBe(keyValueTable(rows, false, 200));
    expect(Math.max(...keyValueTable(rows, false).split('\n').map((l) => l.length))).toBeGreaterThan(80);
  });

  it('wraps at spaces and cuts only words longer than the width', () => {
    expect(wrapText('aaa bbb ccc', 7)).toBe('aaa bbb\nccc');
    expect(wrapText('abcdefghij k', 4)).toBe('abcd\nefgh\nij k');
    expect(wrapText('one\ntwo three', 5)).toBe('one\ntwo\nthree');
  });

  it('takes the width of a terminal only', () => {
    expect(tableWidth({ isTTY: true, columns: 90 })).toBe(90);
    expect(tableWidth({ isTTY: false, columns: 90 })).toBeUndefined();
  });
});
