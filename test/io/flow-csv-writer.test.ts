// The byte-level number and address formatting of features.csv, against what JavaScript itself prints.
import { describe, expect, it } from 'vitest';
import { CellFormat, type FlowRow } from '../../src/features/feature-group.js';
import { FlowCsvWriter } from '../../src/io/flow-csv-writer.js';
import { ipv6 } from '../../src/synth/frame-builder.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';
import { MemorySink } from '../flow/flow-harness.js';

/** Writes one row whose cells all have `format`, filled by `fill`, and returns the cells as text. */
function cells(format: CellFormat, count: number, fill: (row: FlowRow) => void): { cells: string[]; writer: FlowCsvWriter } {
  const sink = new MemorySink();
  const names = Array.from({ length: count }, (_, i) => `c${i}`);
  const writer = new FlowCsvWriter(sink, names, Array<CellFormat>(count).fill(format));
  const row = writer.nextRow();
  fill(row);
  writer.commit();
  const text = sink.text();
  expect(text.endsWith('\n')).toBe(true);
  return { cells: text.slice(names.join(',').length + 1, -1).split(','), writer };
}

const one = (format: CellFormat, value: number) => cells(format, 1, (row) => (row.numbers[0] = value)).cells[0];

function words(addr: readonly number[]): Uint32Array {
  const out = new Uint32Array(4);
  for (let i = 0; i < addr.length; i++) out[i >> 2] = (out[i >> 2] * 256 + addr[i]) >>> 0;
  return out;
}

describe('FlowCsvWriter', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [99, '99'],
    [100, '100'],
    [-1, '-1'],
    [2147483647, '2147483647'],
    [2147483648, '2147483648'],
    [4294967295, '4294967295'],
    [4294967296, '4294967296'],
    [123456789012345, '123456789012345'],
    [9007199254740991, '9007199254740991'],
  ])('writes the integer %d as %s', (n, text) => {
    expect(one(CellFormat.int, n)).toBe(text);
  });

  it('writes every integer as String() does, for 10,000 random values of every magnitude', () => {
    const rng = new SeededRandom(8);
    for (let i = 0; i < 10_000; i++) {
      const v = Math.floor(rng.next() * 10 ** rng.int(0, 15)) * (rng.next() < 0.1 ? -1 : 1);
      expect(one(CellFormat.int, v)).toBe(String(v));
    }
  });

  it.each([
    [0, '0'],
    [0.5, '0.5'],
    [109, '109'],
    [8.982035928143713, '8.982036'],
    [0.1 + 0.2, '0.3'],
    [1e-7, '0'],
    [123456789.123456, '123456789.123456'],
    [5e9 + 0.25, '5000000000.25'],
    [2.5e12, '2500000000000'],
    [1e300, '1e+300'],
  ])('writes the decimal %d as %s', (v, text) => {
    expect(one(CellFormat.decimal, v)).toBe(text);
  });

  it('writes decimals within half a millionth of the value, at most 6 decimals, no trailing zeros (10,000 random values)', () => {
    const rng = new SeededRandom(3);
    for (let i = 0; i < 10_000; i++) {
      const v = rng.next() * 10 ** rng.int(-3, 9);
      const text = one(CellFormat.decimal, v);
      expect(text, String(v)).toMatch(/^\d+(\.\d{0,5}[1-9])?$/);
      // ties may round either way: v * 1e6 is itself rounded before Math.round sees it
      expect(Math.abs(Number(text) - v), `${v} -> ${text}`).toBeLessThanOrEqual(5e-7 + Math.abs(v) * 2 ** -52);
    }
  });

  it.each([
    [0, '0'],
    [1, '0.000000001'],
    [1_000_000, '0.001'],
    [1_500_000_000, '1.5'],
    [1_800_000_000_000, '1800'],
    [123.4, '0.000000123'],
    [5_000_000_000_000_000, '5000000'],
  ])('writes %d ns as %s seconds', (ns, text) => {
    expect(one(CellFormat.seconds, ns)).toBe(text);
  });

  it('writes capture times with exactly 9 decimals, from a base second and nanoseconds after it', () => {
    const at = (baseSec: number, ns: number) =>
      cells(CellFormat.timestamp, 1, (row) => {
        row.baseSec = baseSec;
        row.numbers[0] = ns;
      }).cells[0];
    expect(at(1_793_520_000, 0)).toBe('1793520000.000000000');
    expect(at(1_793_520_000, 86_400_000_000_123)).toBe('1793606400.000000123');
    expect(at(1_793_520_000, -1)).toBe('1793519999.999999999');
    expect(at(5_000_000_000, 1)).toBe('5000000000.000000001');
  });

  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1:0:0:1', 'fe80::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1::1', '2001:0:0:1::1'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
  ])('writes the IPv6 address %s as %s (RFC 5952)', (input, text) => {
    const v = input.startsWith('::ffff:') ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3] : ipv6(input);
    expect(cells(CellFormat.address, 1, (row) => row.address(0, words(v), 0, true)).cells[0]).toBe(text);
  });

  it('writes IPv4 addresses in dotted quads and text cells as given', () => {
    expect(cells(CellFormat.address, 1, (row) => row.address(0, words([192, 168, 0, 255]), 0, false)).cells[0]).toBe('192.168.0.255');
    const bytes = new TextEncoder().encode('ShADdFf');
    expect(cells(CellFormat.text, 2, (row) => (row.text(0, bytes), row.text(1, bytes, 3))).cells).toEqual(['ShADdFf', 'ShA']);
  });

  it('counts and zeroes a non-finite value instead of writing NaN', () => {
    const result = cells(CellFormat.decimal, 3, (row) => {
      row.numbers[0] = NaN;
      row.numbers[1] = Infinity;
      row.numbers[2] = 1;
    });
    expect(result.cells).toEqual(['0', '0', '1']);
    expect(result.writer.nonFiniteCells).toBe(2);
  });
});
