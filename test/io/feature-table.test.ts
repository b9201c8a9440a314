// Reading features CSVs: the feature columns the schema marks numeric and not identifiers, labels as sorted
// classes, identifier cells kept verbatim, exact numbers, and errors that name the line and the column.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadDataError, ExitCode, MissingInputError } from '../../src/errors.js';
import { readFeatureTable } from '../../src/io/feature-table.js';
import { FLOW_COLUMNS } from '../../src/schema/flow-columns.js';
import { PACKET_CSV_HEADER } from '../../src/schema/packet-columns.js';
import { FEATURE_NAMES, featureCsvText } from '../helpers/feature-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'netml-table-'));
let files = 0;
function file(text: string): string {
  const path = join(dir, `t${files++}.csv`);
  writeFileSync(path, text);
  return path;
}

function expectError(path: string, kind: typeof BadDataError | typeof MissingInputError, message: RegExp): void {
  try {
    readFeatureTable(path, { requireLabels: false });
  } catch (err) {
    expect(err).toBeInstanceOf(kind);
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('the table was accepted');
}

describe('readFeatureTable', () => {
  it('reads the numeric non-identifier columns into a column-major matrix, and labels as sorted classes', () => {
    const path = file(featureCsvText({ rows: 5, value: (r, k) => r * 100 + k + 0.25, label: (r) => (r % 2 ? 'scan' : 'normal') }));
    const t = readFeatureTable(path, { hash: true });
    expect(t.schema.version).toBe('flows/1');
    expect(t.featureNames).toEqual(FEATURE_NAMES);
    expect(t.featureNames).not.toContain('src_port');
    expect(t.featureNames).not.toContain('protocol');
    expect(t.matrix.rows).toBe(5);
    expect(t.matrix.columns).toBe(FEATURE_NAMES.length);
    expect(t.matrix.values[3 * 5 + 2]).toBe(203.25);
    expect(t.labels).toEqual({ classes: ['normal', 'scan'], y: Int32Array.from([0, 1, 0, 1, 0]) });
    expect(t.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('includes numeric identifiers only when asked', () => {
    const path = file(featureCsvText({ rows: 2, value: () => 1 }));
    const t = readFeatureTable(path, { includeIdentifiers: true });
    expect(t.featureNames).toContain('src_port');
    expect(t.featureNames).toContain('flow_id');
    expect(t.featureNames).not.toContain('src_addr');
  });

  it('keeps the identifier cells of every row as written', () => {
    const path = file(featureCsvText({ rows: 3, value: () => 0 }));
    const t = readFeatureTable(path, { keepIdentifiers: true });
    const ids = t.identifiers!;
    expect(ids.names).toEqual(FLOW_COLUMNS.filter((c) => c.identifier).map((c) => c.name));
    const row1 = new TextDecoder().decode(ids.bytes.subarray(ids.offsets[1], ids.offsets[2]));
    expect(row1).toBe('2,1700000001.000000000,1700000002.000000000,10.0.0.1,192.168.1.1,40001,443,0');
  });

  it.each(['0', '-0.5', '1e-7', '123456789.123456789', '0.1', '-17', '+3.25', '4.', '.5', '1E+21', '0.30000000000000004'])(
    'parses %s exactly as Number() does',
    (cell) => {
      const path = file(featureCsvText({ rows: 1, value: (_r, k) => (k === 0 ? (cell as unknown as number) : 0) }));
      expect(readFeatureTable(path).matrix.values[0]).toBe(Number(cell));
    },
  );

  it('reads CRLF line ends, a missing last newline and blank lines', () => {
    const text = featureCsvText({ rows: 3, value: (r) => r + 1 });
    const lines = text.trimEnd().split('\n');
    const t = readFeatureTable(file(`${lines[0]}\r\n${lines[1]}\r\n\r\n${lines[2]}\r\n${lines[3]}`));
    expect(t.matrix.rows).toBe(3);
    expect(Array.from(t.matrix.values.subarray(0, 3))).toEqual([1, 2, 3]);
  });

  it('fills a SharedArrayBuffer when asked', () => {
    const t = readFeatureTable(file(featureCsvText({ rows: 2, value: () => 1 })), { shared: true });
    expect(t.matrix.values.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  const header = FLOW_COLUMNS.map((c) => c.name);
  const good = featureCsvText({ rows: 4, value: () => 1 }).split('\n');
  const column = (name: string) => header.indexOf(name) + 1;
  /** the table with one cell replaced; line 1 is the header */
  const withCell = (line: number, name: string, text: string) => {
    const lines = [...good];
    const cells = lines[line - 1].split(',');
    cells[header.indexOf(name)] = text;
    lines[line - 1] = cells.join(',');
    return lines.join('\n');
  };

  it.each([
    ['an empty file', '', BadDataError, /is empty/],
    ['a non-numeric cell', withCell(3, 'fwd_bytes_wire', 'abc'), BadDataError, new RegExp(`line 3, column ${column('fwd_bytes_wire')} \\(fwd_bytes_wire\\): expected a number, found "abc"`)],
    ['an empty cell', withCell(2, 'duration_s', ''), BadDataError, new RegExp(`line 2, column ${column('duration_s')} \\(duration_s\\): an empty cell where a number is expected`)],
    ['NaN', withCell(4, 'duration_s', 'NaN'), BadDataError, /line 4, .*found "NaN"/],
    ['a missing column', [header.filter((h) => h !== 'fwd_psh_count').join(','), ''].join('\n'), BadDataError, /line 1: missing column "fwd_psh_count" \(column \d+ of flows\/1\)/],
    ['columns out of order', [[header[1], header[0], ...header.slice(2)].join(','), ''].join('\n'), BadDataError, /line 1, column 1: expected column "flow_id" of flows\/1, found "start_time_s"/],
    ['an extra column', [`${header.join(',')},extra`, ''].join('\n'), BadDataError, /line 1, column \d+: unexpected column "extra"/],
    ['a short row', [...good.slice(0, 2), good[2].split(',').slice(0, 10).join(',')].join('\n'), BadDataError, /line 3, column 10 .*the line has 10 cells; the header has \d+/],
    ['an unknown header', 'a,b,c\n1,2,3\n', BadDataError, /matches no table netml knows/],
    ['packets.csv', `${PACKET_CSV_HEADER}\n`, BadDataError, /is a packets\/1 table.*not a feature table/],
  ])('refuses %s with the line and column', (_name, text, kind, message) => {
    expectError(file(text), kind, message);
  });

  it('says a missing file is missing (exit 66)', () => {
    try {
      readFeatureTable(join(dir, 'nope.csv'));
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(MissingInputError);
      expect((err as MissingInputError).exitCode).toBe(ExitCode.missingInput);
      expect((err as MissingInputError).hint).toMatch(/netml extract/);
    }
  });

  it('demands a label column when asked', () => {
    expect(() => readFeatureTable(file(featureCsvText({ rows: 2, value: () => 1 })), { requireLabels: true })).toThrow(/has no "label" column/);
  });

  it('reads lines that straddle its read buffer', () => {
    // ~8 MB chunks: a table of a few MB in many rows crosses at least one boundary when rows are long
    const rows = 40000;
    const t = readFeatureTable(file(featureCsvText({ rows, value: (r, k) => r + k / 1000 })));
    expect(t.matrix.rows).toBe(rows);
    const F = FEATURE_NAMES.length;
    for (const r of [0, 12345, rows - 1]) expect(t.matrix.values[(F - 1) * rows + r]).toBe(r + (F - 1) / 1000);
  });
});
