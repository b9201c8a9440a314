// The asciichart wrapper: asciichart 1.5.25 throws on NaN and empty series and collapses constant ones; the
// wrapper must draw all of them, leave gaps blank, and keep every line inside the width it was given.

import { describe, expect, it } from 'vitest';
import { compactNumber } from '../../src/viz/chart-text.js';
import { axisLabels, chartRange, lineChart, plotColumns } from '../../src/viz/line-chart.js';

const base = { height: 4, format: compactNumber, colourEnabled: false, minLabelWidth: 6 };

describe('lineChart', () => {
  it.each([
    ['an empty series', []],
    ['only NaN', [Number.NaN, Number.NaN]],
    ['only Infinity', [Number.POSITIVE_INFINITY]],
  ])('draws "(no data)" for %s instead of throwing', (_, values) => {
    const chart = lineChart({ ...base, values });
    expect(chart.lines.join('\n')).toContain('(no data)');
  });

  it('keeps a constant series on a real y range, a flat line at the top', () => {
    const chart = lineChart({ ...base, values: [5, 5, 5, 5] });
    expect(chart.lines).toHaveLength(5);
    expect(chart.lines[0]).toBe('     5 ┤───');
    expect(chart.lines[4]).toBe('     0 ┤');
  });

  it('draws an all-zero series along the bottom row with a range of 0..1', () => {
    const chart = lineChart({ ...base, values: [0, 0, 0] });
    expect(chart.lines[0].trim()).toBe('1 ┤');
    expect(chart.lines.at(-1)).toBe('     0 ┤──');
  });

  it('leaves gaps (NaN) blank and marks a lone value with a dash', () => {
    const chart = lineChart({ ...base, values: [4, 4, Number.NaN, Number.NaN, 4, Number.NaN, 4, 4] });
    // columns: 0-1 line, 2-3 gap, 4 alone, 5 gap, 6-7 line
    expect(chart.lines[0]).toBe('     4 ┤─   ─ ─');
    expect(chart.lines.join('')).not.toMatch(/NaN/);
  });

  it('draws a single value as one dash', () => {
    const chart = lineChart({ ...base, values: [3] });
    expect(chart.lines[0]).toBe('     3 ┤─');
  });

  it('draws a marker (threshold) dashed where the series does not pass, and only within a given range', () => {
    const chart = lineChart({ ...base, values: [0, 4, 0, 4], markers: [2, 99], max: 4 });
    const markerRow = chart.lines.find((l) => l.includes('╌'));
    expect(markerRow).toBeDefined();
    expect(markerRow!.startsWith('     2 ┤')).toBe(true);
    expect(chart.lines.filter((l) => l.includes('╌'))).toHaveLength(1);
  });

  it('grows the default range to take in a marker', () => {
    expect(lineChart({ ...base, values: [1, 2], markers: [8] }).lines[0]).toMatch(/^ {5}8 ┤╌+$/);
  });

  it('clamps values outside a given range instead of growing the chart', () => {
    const chart = lineChart({ ...base, values: [-5, 50, 2], min: 0, max: 4 });
    expect(chart.lines).toHaveLength(5);
  });

  it('fits the width it was planned for, for any length', () => {
    for (const width of [40, 80, 123, 200]) {
      const n = plotColumns(width, 6);
      const values = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? Number.NaN : Math.sin(i / 3) * 1000 + 1000));
      for (const line of lineChart({ ...base, values }).lines) expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it('colours the plot but not the labels, and the codes take no width', () => {
    const plain = lineChart({ ...base, values: [1, 3, 2], markers: [2] });
    const coloured = lineChart({ ...base, values: [1, 3, 2], markers: [2], colourEnabled: true, colour: '\x1b[36m' });
    expect(coloured.lines.join('\n')).toContain('\x1b[36m');
    expect(coloured.lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(plain.lines);
  });
});

describe('chartRange', () => {
  it.each([
    [[1, 2, 3], {}, { min: 0, max: 3 }],
    [[Number.NaN, 2], {}, { min: 0, max: 2 }],
    [[0, 0], {}, { min: 0, max: 1 }],
    [[1], { markers: [5] }, { min: 0, max: 5 }],
    [[7, 7], { min: 7 }, { min: 7, max: 14 }],
  ])('%j with %j -> %j', (values, spec, expected) => {
    expect(chartRange(values, spec)).toEqual(expected);
  });
});

describe('axisLabels', () => {
  it('puts the start under the first column and the end under the last', () => {
    expect(axisLabels(8, 30, '08:00:00', '08:00:30')).toBe(`${' '.repeat(7)}08:00:00${' '.repeat(14)}08:00:30`);
  });

  it('drops the end label when both do not fit', () => {
    expect(axisLabels(8, 10, '08:00:00', '08:00:30')).toBe(`${' '.repeat(7)}08:00:00`);
  });
});
