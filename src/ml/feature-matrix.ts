// The one shape numeric training data has in netml: a column-major Float64Array (all rows of feature 0,
// then all rows of feature 1...), so a split scans one contiguous column. It may sit on a
// SharedArrayBuffer so worker threads read it without a copy.

export interface FeatureMatrix {
  /** values[feature * rows + row] */
  readonly values: Float64Array;
  readonly rows: number;
  readonly columns: number;
}

export function featureMatrix(values: Float64Array, rows: number, columns: number): FeatureMatrix {
  if (values.length !== rows * columns) throw new RangeError(`a ${rows} x ${columns} matrix needs ${rows * columns} values, got ${values.length}`);
  return { values, rows, columns };
}

/** Builds a matrix from rows of numbers (tests and small tools; the CSV reader fills `values` directly). */
export function matrixFromRows(rows: readonly (readonly number[])[], columns = rows[0]?.length ?? 0): FeatureMatrix {
  const n = rows.length;
  const values = new Float64Array(n * columns);
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    if (row.length !== columns) throw new RangeError(`row ${r} has ${row.length} values, expected ${columns}`);
    for (let c = 0; c < columns; c++) values[c * n + r] = row[c];
  }
  return { values, rows: n, columns };
}

/** The rows 0..rows-1, or the given subset: which rows a model trains on. */
export function allRows(rows: number): Int32Array {
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = i;
  return out;
}

/** The given rows as a matrix of their own (a test split, or the distinct rows); `shared` puts it on a SharedArrayBuffer. */
export function selectRows(data: FeatureMatrix, rows: Int32Array, shared = false): FeatureMatrix {
  const m = rows.length;
  const { values, rows: n, columns } = data;
  const out = new Float64Array(shared ? new SharedArrayBuffer(m * columns * 8) : new ArrayBuffer(m * columns * 8));
  for (let f = 0; f < columns; f++) {
    const src = f * n;
    const dst = f * m;
    for (let i = 0; i < m; i++) out[dst + i] = values[src + rows[i]];
  }
  return { values: out, rows: m, columns };
}

/**
 * Rows that repeat an earlier row exactly, every feature bit for bit. Captures repeat themselves (once
 * addresses and ports are left out, the flows of a SYN flood or a port scan are identical), and a model
 * gives a repeated row the same output, so it need not be computed again. `first` lists the distinct rows
 * in order of appearance; `of[r]` is the index in `first` of row r's twin.
 */
export function distinctRows(data: FeatureMatrix): { first: Int32Array; of: Int32Array } {
  const { values, rows: n, columns } = data;
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  // FNV-1a-style hash of each row's 2 x columns words, built column by column (the matrix is column-major)
  const hash = new Int32Array(n).fill(-2128831035);
  for (let f = 0; f < columns; f++) {
    const base = 2 * f * n;
    for (let r = 0; r < n; r++) {
      let h = hash[r];
      h = Math.imul(h ^ words[base + 2 * r], 16777619);
      h = Math.imul(h ^ words[base + 2 * r + 1], 16777619);
      hash[r] = h;
    }
  }
  let size = 1;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const first = new Int32Array(n);
  const of = new Int32Array(n);
  let distinct = 0;
  for (let r = 0; r < n; r++) {
    const h = hash[r];
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const k = table[slot];
      if (k < 0) {
        table[slot] = distinct;
        first[distinct] = r;
        of[r] = distinct++;
        break;
      }
      const twin = first[k];
      if (hash[twin] === h && sameRow(values, n, columns, twin, r)) {
        of[r] = k;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return { first: first.slice(0, distinct), of };
}

function sameRow(values: Float64Array, n: number, columns: number, a: number, b: number): boolean {
  for (let f = 0; f < columns; f++) if (!Object.is(values[f * n + a], values[f * n + b])) return false;
  return true;
}
