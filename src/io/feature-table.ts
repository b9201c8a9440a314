// Reads a features CSV (dataset/features.csv from `netml extract`) into what the models eat: a column-major
// Float64Array of the feature columns, the `label` column as class numbers, and optionally the identifier
// cells of every row (for detections.csv). The header must be a schema netml knows, column for column.
//
// A hand parser over bytes, not papaparse: numbers are read straight from the bytes (digits accumulated
// into an integer and divided once by a power of ten, exact like Number() for up to 15 digits; anything
// else goes through Number()), and cells that are not needed are skipped with indexOf. Two passes: the
// first counts lines so the matrix is allocated once at its final size, the second parses.
// Every error names the file, the line and the column.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BadDataError, inputFileError, MissingInputError } from '../errors.js';
import type { FeatureMatrix } from '../ml/feature-matrix.js';
import { KNOWN_SCHEMAS, numericColumns, type KnownSchema } from '../schema/feature-schemas.js';

export interface ReadFeatureTableOptions {
  /** read exactly these feature columns, in this order (a model's); default: the schema's numeric columns */
  featureNames?: readonly string[];
  /** with the default feature columns: also the numeric identifier columns (ports, times, flow id) */
  includeIdentifiers?: boolean;
  /** fail unless the table has a label column; a string says why the labels are needed */
  requireLabels?: boolean | string;
  /** called with the table's schema as soon as the header is recognised, before any row is read: throw to refuse it */
  checkSchema?: (schema: KnownSchema) => void;
  /** keep every row's identifier cells */
  keepIdentifiers?: boolean;
  /** allocate the matrix on a SharedArrayBuffer, for worker threads */
  shared?: boolean;
  /** compute the sha256 of the file */
  hash?: boolean;
  /** called after every chunk read */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** Identifier cells of every row, as they were written: row r is bytes[offsets[r] .. offsets[r+1]), cells joined by commas. */
export interface IdentifierCells {
  names: string[];
  bytes: Uint8Array;
  offsets: Float64Array;
}

export interface FeatureTable {
  path: string;
  schema: KnownSchema;
  featureNames: string[];
  matrix: FeatureMatrix;
  labels: { classes: string[]; y: Int32Array } | null;
  identifiers: IdentifierCells | null;
  sha256: string | null;
  fileBytes: number;
}

const CHUNK_BYTES = 8 << 20;
const BLOCK_ROWS = 512;
const NEWLINE = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** 10^0 .. 10^22 are exact doubles, so mantissa / 10^k is correctly rounded */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** mantissas up to 15 digits are below 2^53 */
const MAX_FAST_DIGITS = 15;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** what the parser does with a column */
const SKIP = 0;
const FEATURE = 1;
const LABEL = 2;

export function readFeatureTable(path: string, options: ReadFeatureTableOptions = {}): FeatureTable {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw tableInputError(path, err);
  }
  try {
    return readOpen(fd, path, options);
  } finally {
    closeSync(fd);
  }
}

function readOpen(fd: number, path: string, options: ReadFeatureTableOptions): FeatureTable {
  const stat = fstatSync(fd);
  if (stat.isDirectory()) throw new MissingInputError(path, `${path} is a directory, not a features CSV`, 'give the path of a file written by `netml extract`');
  const fileBytes = stat.size;
  if (fileBytes === 0) {
    throw new BadDataError(`${path} is empty: expected a header line and one row per flow`, 'run `netml extract` to write the features, or check the path');
  }
  let buf = Buffer.allocUnsafe(CHUNK_BYTES);

  // pass 1: lines (an upper bound on rows; blank lines are dropped later) and the header
  let newlines = 0;
  let lastByte = 0;
  let headerText: string | null = null;
  let headerBytes: number[] = [];
  for (let offset = 0; offset < fileBytes; ) {
    const got = readSync(fd, buf, 0, Math.min(CHUNK_BYTES, fileBytes - offset), offset);
    if (got <= 0) break;
    let p = 0;
    if (headerText === null) {
      const nl = buf.indexOf(NEWLINE, 0);
      const end = nl < 0 || nl >= got ? got : nl;
      for (let i = 0; i < end; i++) headerBytes.push(buf[i]);
      if (nl >= 0 && nl < got) headerText = Buffer.from(headerBytes).toString('utf8');
      else if (headerBytes.length > CHUNK_BYTES) throw new BadDataError(`${path}: line 1 is longer than ${CHUNK_BYTES} bytes: not a features CSV`);
    }
    while (p < got) {
      const nl = buf.indexOf(NEWLINE, p);
      if (nl < 0 || nl >= got) break;
      newlines++;
      p = nl + 1;
    }
    lastByte = buf[got - 1];
    offset += got;
  }
  if (headerText === null) headerText = Buffer.from(headerBytes).toString('utf8');
  headerBytes = [];
  const lines = newlines + (lastByte === NEWLINE ? 0 : 1);
  // a spreadsheet or pandas (quoting=QUOTE_ALL) may quote the header cells as it quotes the others
  const header = headerText.replace(/^\uFEFF/, '').replace(/\r$/, '').split(',').map(unquoteHeaderCell);
  const plan = planColumns(path, header, options);
  const capacity = Math.max(0, lines - 1);
  const F = plan.featureNames.length;
  const values = new Float64Array(options.shared ? new SharedArrayBuffer(capacity * F * 8) : new ArrayBuffer(capacity * F * 8));
  const y = plan.labelColumn >= 0 ? new Int32Array(capacity) : null;
  const labelIndex = new Map<string, number>();
  const idBytes = options.keepIdentifiers ? new GrowableBytes(capacity * 48 + 1024) : null;
  const idOffsets = options.keepIdentifiers ? new Float64Array(capacity + 1) : null;
  const hash = options.hash ? createHash('sha256') : null;
  // rows are parsed into a small row-major block, then copied column by column into the matrix: storing
  // each cell straight into its column touched a new cache line per cell (42% of the parse time)
  const block = new Float64Array(BLOCK_ROWS * F);
  let blockStart = 0;
  const flushBlock = (end: number) => {
    for (let f = 0; f < F; f++) {
      const dst = f * capacity + blockStart;
      for (let i = 0; i < end - blockStart; i++) values[dst + i] = block[i * F + f];
    }
    blockStart = end;
  };

  // pass 2: parse
  const columns = header.length;
  const action = plan.action;
  const slot = plan.slot;
  const keep = plan.keepIdentifier;
  let row = 0;
  let lineNumber = 0;
  let carry = 0; // bytes of an unfinished line at the start of buf
  let offset = 0;
  const fail = (line: number, column: number, what: string): never => {
    throw new BadDataError(`${path}: line ${line}, column ${column + 1} (${header[column] ?? 'past the header'}): ${what}`, plan.hint);
  };
  while (offset < fileBytes || carry > 0) {
    if (carry === buf.length) {
      if (buf.length >= 64 * CHUNK_BYTES) fail(lineNumber + 1, 0, `a line longer than ${buf.length} bytes`);
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const got = offset < fileBytes ? readSync(fd, buf, carry, Math.min(buf.length - carry, fileBytes - offset), offset) : 0;
    if (got > 0) hash?.update(buf.subarray(carry, carry + got));
    offset += got;
    const filled = carry + got;
    const atEnd = offset >= fileBytes || got === 0;
    let p = 0;
    while (p < filled) {
      let nl = buf.indexOf(NEWLINE, p);
      if (nl < 0 || nl >= filled) {
        if (!atEnd) break;
        nl = filled; // the last line has no newline
      }
      lineNumber++;
      let lineEnd = nl;
      if (lineEnd > p && buf[lineEnd - 1] === CR) lineEnd--;
      if (lineNumber === 1 || lineEnd === p) {
        p = nl + 1;
        continue; // the header, or a blank line
      }
      // one row
      if (row >= capacity) fail(lineNumber, 0, 'more rows than lines counted (was the file growing while being read?)');
      if (idOffsets) idOffsets[row] = idBytes!.size;
      let pos = p;
      let col = 0;
      let firstKept = true;
      for (;;) {
        if (col >= columns) fail(lineNumber, col, `more cells than the ${columns} columns of the header`);
        const act = action[col];
        let end: number;
        if (pos < lineEnd && buf[pos] === QUOTE) {
          end = quotedEnd(buf, pos, lineEnd);
          if (end < 0) fail(lineNumber, col, 'a quoted cell without its closing quote on the same line');
        } else if (act === FEATURE) {
          end = -1; // found by the number parser
        } else {
          end = buf.indexOf(COMMA, pos);
          if (end < 0 || end > lineEnd) end = lineEnd;
        }
        if (act === FEATURE) {
          let v: number;
          if (end < 0) {
            // the number fast path: sign, digits, optional fraction, then a delimiter
            let q = pos;
            let negative = false;
            let c = buf[q];
            if (c === MINUS) {
              negative = true;
              c = buf[++q];
            } else if (c === PLUS) c = buf[++q];
            let mantissa = 0;
            let digits = 0;
            let scale = 0;
            while (c >= ZERO && c <= NINE && q < lineEnd) {
              mantissa = mantissa * 10 + (c - ZERO);
              digits++;
              c = buf[++q];
            }
            if (c === DOT && q < lineEnd) {
              c = buf[++q];
              while (c >= ZERO && c <= NINE && q < lineEnd) {
                mantissa = mantissa * 10 + (c - ZERO);
                digits++;
                scale++;
                c = buf[++q];
              }
            }
            if (digits > 0 && digits <= MAX_FAST_DIGITS && (q === lineEnd || c === COMMA)) {
              v = scale === 0 ? mantissa : mantissa / POW10[scale];
              if (negative) v = -v;
              end = q;
            } else {
              end = buf.indexOf(COMMA, pos);
              if (end < 0 || end > lineEnd) end = lineEnd;
              v = slowNumber(buf, pos, end);
            }
          } else {
            v = slowNumber(buf, pos, end);
          }
          if (Number.isNaN(v)) {
            const text = cellText(buf, pos, end);
            fail(lineNumber, col, text === '' ? 'an empty cell where a number is expected' : `expected a number, found ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}`);
          }
          block[(row - blockStart) * F + slot[col]] = v;
        } else if (act === LABEL) {
          const text = cellText(buf, pos, end);
          if (text === '') fail(lineNumber, col, 'an empty label');
          let k = labelIndex.get(text);
          if (k === undefined) {
            k = labelIndex.size;
            labelIndex.set(text, k);
          }
          y![row] = k;
        }
        if (keep[col] && idBytes) {
          if (!firstKept) idBytes.push(COMMA);
          // a quoted identifier ("10.0.0.1") is kept without its quotes, unless they protect a comma or a quote
          if (end - pos >= 2 && buf[pos] === QUOTE && plainBytes(buf, pos + 1, end - 1)) idBytes.append(buf, pos + 1, end - 1);
          else idBytes.append(buf, pos, end);
          firstKept = false;
        }
        col++;
        if (end >= lineEnd) break;
        pos = end + 1;
      }
      if (col !== columns) fail(lineNumber, col - 1, `the line has ${col} cells; the header has ${columns}`);
      row++;
      if (row - blockStart === BLOCK_ROWS) flushBlock(row);
      p = nl + 1;
    }
    // keep the unfinished line for the next read
    carry = Math.max(0, filled - p);
    if (carry > 0) buf.copy(buf, 0, p, filled);
    if (atEnd) break;
    options.onProgress?.(offset, fileBytes);
  }
  flushBlock(row);
  options.onProgress?.(fileBytes, fileBytes);
  if (options.requireLabels && plan.labelColumn < 0) {
    const why = typeof options.requireLabels === 'string' ? options.requireLabels : 'a random forest learns from labelled rows';
    throw new BadDataError(
      `${path} has no "${plan.schema.labelColumn}" column: ${why}`,
      `extract with labels (\`${plan.schema.makeWith} --labels rules\`), or train an isolation forest on every row (\`netml train --model iforest\`), which needs none`,
    );
  }

  const matrix = row === capacity ? { values, rows: row, columns: F } : compact(values, capacity, row, F, options.shared === true);
  let labels: FeatureTable['labels'] = null;
  if (y) {
    // classes in sorted order (as numpy.unique), so class numbers do not depend on row order
    const firstSeen = [...labelIndex.keys()];
    const classes = [...firstSeen].sort();
    const remap = Int32Array.from(firstSeen, (name) => classes.indexOf(name));
    const yy = row === capacity ? y : y.slice(0, row);
    for (let i = 0; i < row; i++) yy[i] = remap[yy[i]];
    labels = { classes, y: yy };
  }
  let identifiers: IdentifierCells | null = null;
  if (idBytes && idOffsets) {
    idOffsets[row] = idBytes.size;
    identifiers = { names: plan.identifierNames, bytes: idBytes.bytes.subarray(0, idBytes.size), offsets: row === capacity ? idOffsets : idOffsets.slice(0, row + 1) };
  }
  return { path, schema: plan.schema, featureNames: plan.featureNames, matrix, labels, identifiers, sha256: hash ? hash.digest('hex') : null, fileBytes };
}

interface ColumnPlan {
  schema: KnownSchema;
  featureNames: string[];
  identifierNames: string[];
  action: Uint8Array;
  slot: Int32Array;
  keepIdentifier: Uint8Array;
  labelColumn: number;
  hint: string;
}

/** Matches the header against the known schemas and decides what to do with every column. */
function planColumns(path: string, header: string[], options: ReadFeatureTableOptions): ColumnPlan {
  const schema = closestSchema(header);
  const reExtract = `the file was written by another netml version or edited by hand: run \`${schema?.makeWith ?? 'netml extract'}\` again`;
  if (!schema) {
    const shown = header.slice(0, 6).join(',') + (header.length > 6 ? ',...' : '');
    throw new BadDataError(
      `${path}: line 1: the header matches no table netml knows (found "${shown}"); expected the ${KNOWN_SCHEMAS[0].version} columns of ${KNOWN_SCHEMAS[0].usualFile}`,
      `give a features CSV written by \`${KNOWN_SCHEMAS[0].makeWith}\``,
    );
  }
  options.checkSchema?.(schema);
  if (!schema.trainable) {
    throw new BadDataError(
      `${path} is a ${schema.version} table (${schema.usualFile}, one row per ${schema.level}), not a feature table`,
      `turn the capture into flow features first: \`${schema.makeWith}\`, then use dataset/features.csv`,
    );
  }
  const names = schema.columns.map((c) => c.name);
  const present = new Set(header);
  for (let i = 0; i < names.length; i++) {
    if (!present.has(names[i])) {
      throw new BadDataError(`${path}: line 1: missing column "${names[i]}" (column ${i + 1} of ${schema.version})`, reExtract);
    }
  }
  for (let i = 0; i < names.length; i++) {
    if (header[i] !== names[i]) {
      throw new BadDataError(`${path}: line 1, column ${i + 1}: expected column "${names[i]}" of ${schema.version}, found "${header[i]}"`, reExtract);
    }
  }
  let labelColumn = -1;
  for (let i = names.length; i < header.length; i++) {
    if (header[i] === schema.labelColumn && labelColumn < 0) labelColumn = i;
    else throw new BadDataError(`${path}: line 1, column ${i + 1}: unexpected column "${header[i]}" after the ${schema.version} columns`, reExtract);
  }
  const numeric = numericColumns(schema, true);
  let featureNames: string[];
  if (options.featureNames) {
    featureNames = [...options.featureNames];
    for (const name of featureNames) {
      if (!names.includes(name)) {
        throw new BadDataError(`${path} has no column "${name}", which the model was trained on`, 'train the model again on features from this netml (`netml train`)');
      }
      if (!numeric.some((c) => c.name === name)) {
        throw new BadDataError(`${path}: column "${name}" is not numeric in ${schema.version}, but the model was trained on it`, 'train the model again (`netml train`)');
      }
    }
  } else {
    featureNames = numericColumns(schema, options.includeIdentifiers === true).map((c) => c.name);
  }
  const action = new Uint8Array(header.length).fill(SKIP);
  const slot = new Int32Array(header.length).fill(-1);
  const keepIdentifier = new Uint8Array(header.length);
  featureNames.forEach((name, k) => {
    const col = names.indexOf(name);
    action[col] = FEATURE;
    slot[col] = k;
  });
  if (labelColumn >= 0) action[labelColumn] = LABEL;
  const identifierNames: string[] = [];
  schema.columns.forEach((c, i) => {
    if (c.identifier) {
      keepIdentifier[i] = 1;
      identifierNames.push(c.name);
    }
  });
  return { schema, featureNames, identifierNames, action, slot, keepIdentifier, labelColumn, hint: reExtract };
}

/** The known schema sharing the most column names with the header, if it shares at least half of its own. */
function closestSchema(header: string[]): KnownSchema | null {
  const have = new Set(header);
  let best: KnownSchema | null = null;
  let bestShare = 0;
  for (const s of KNOWN_SCHEMAS) {
    const share = s.columns.filter((c) => have.has(c.name)).length / s.columns.length;
    if (share > bestShare) {
      bestShare = share;
      best = s;
    }
  }
  return bestShare >= 0.5 ? best : null;
}

function unquoteHeaderCell(cell: string): string {
  return cell.length >= 2 && cell.startsWith('"') && cell.endsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
}

/** True when bytes [from, to) hold no comma and no quote. */
function plainBytes(buf: Buffer, from: number, to: number): boolean {
  for (let q = from; q < to; q++) if (buf[q] === COMMA || buf[q] === QUOTE) return false;
  return true;
}

/** End (the position after the closing quote) of a quoted cell starting at `pos`, or -1. */
function quotedEnd(buf: Buffer, pos: number, lineEnd: number): number {
  let q = pos + 1;
  while (q < lineEnd) {
    if (buf[q] === QUOTE) {
      if (buf[q + 1] === QUOTE && q + 1 < lineEnd) q += 2;
      else return q + 1 === lineEnd || buf[q + 1] === COMMA ? q + 1 : -1;
    } else q++;
  }
  return -1;
}

function cellText(buf: Buffer, pos: number, end: number): string {
  if (end > pos && buf[pos] === QUOTE) return buf.toString('utf8', pos + 1, end - 1).replace(/""/g, '"');
  return buf.toString('utf8', pos, end);
}

/** Anything beyond the fast path: exponents, long mantissas, quoted numbers. NaN when not a finite number. */
function slowNumber(buf: Buffer, pos: number, end: number): number {
  const text = cellText(buf, pos, end).trim();
  if (!NUMBER_TEXT.test(text)) return NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : NaN;
}

function compact(values: Float64Array, capacity: number, rows: number, F: number, shared: boolean): FeatureMatrix {
  const out = new Float64Array(shared ? new SharedArrayBuffer(rows * F * 8) : new ArrayBuffer(rows * F * 8));
  for (let f = 0; f < F; f++) out.set(values.subarray(f * capacity, f * capacity + rows), f * rows);
  return { values: out, rows, columns: F };
}

function tableInputError(path: string, err: unknown): Error {
  const e = inputFileError(path, err);
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    // a missing .pcap given to detect lands here too (only an existing file can be recognised as a capture)
    const hint = /\.(pcap|pcapng|cap)$/i.test(path) ? 'check the path of the capture' : 'run `netml extract` first (it writes dataset/features.csv), or give the file with --input';
    return new MissingInputError(path, `${path}: no such file`, hint);
  }
  return e;
}

class GrowableBytes {
  bytes: Uint8Array;
  size = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  push(b: number): void {
    if (this.size === this.bytes.length) this.grow(1);
    this.bytes[this.size++] = b;
  }

  /** cells are a few bytes: a loop beats creating a subarray for set() */
  append(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.size + n > this.bytes.length) this.grow(n);
    const bytes = this.bytes;
    let at = this.size;
    for (let q = from; q < to; q++) bytes[at++] = src[q];
    this.size = at;
  }

  private grow(n: number): void {
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.size + n + 1024));
    bigger.set(this.bytes.subarray(0, this.size));
    this.bytes = bigger;
  }
}
