// Writes features.csv rows as bytes straight into the sink's buffer, like packet-csv-writer.ts. A flow row
// has ~76 cells; the feature groups store values in a FlowRow and this writer formats each run of
// same-format columns in one tight loop (a method call per cell cost ~5 ns of ~10).
// Numbers are formatted with integer arithmetic and a two-digit table: times are integer nanoseconds, so
// seconds are printed exactly (at most 9 decimals); other non-integers are rounded to 6 decimals (a
// millionth of a byte or of a packet per second is far below anything a model can use), trailing zeros
// dropped; halfway cases may round either way by one millionth. Measured on 761k flood rows this is ~3x
// faster than Number#toString per cell. Values beyond the integer paths fall back to Number#toString.

import { CellFormat, FlowRow, FlowRowLayout, MAX_TEXT_BYTES } from '../features/feature-group.js';
import type { RowSink } from '../features/flow-feature-set.js';
import { ipv4Text, ipv6Text } from '../features/address-text.js';

/** What the writer needs of a file sink (FileSink, or an in-memory one in tests). */
export interface ByteSink {
  buf: Uint8Array;
  pos: number;
  ensure(n: number): void;
}

/** Growable bytes for one formatted line at a time: the caller takes buf[0, pos) and sets pos back to 0. */
export class LineBuffer implements ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(initialBytes: number) {
    this.buf = new Uint8Array(initialBytes);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const MINUS = 0x2d;
const ZERO = 0x30;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const DECIMALS_SCALE = 1e6;
/** above this, v * 1e6 would not be an exact integer any more */
const DECIMAL_PATH_LIMIT = TWO_POW_53 / DECIMALS_SCALE;
/** the longest cell: an IPv6 address (39) or a fallback number (~24) */
const MAX_CELL_BYTES = 48;


/** "00".."99": two digits per table lookup */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = ZERO + ((i / 10) | 0);
  PAIRS[2 * i + 1] = ZERO + (i % 10);
}

export class FlowCsvWriter implements RowSink {
  readonly layout: FlowRowLayout;
  private readonly sink: ByteSink;
  private readonly row: FlowRow;
  /** runs of consecutive columns with the same format: [format, first, end) */
  private readonly runFormat: Uint8Array;
  private readonly runStart: Int32Array;
  private readonly runEnd: Int32Array;
  private readonly maxRowBytes: number;
  private readonly groups = new Uint16Array(8);
  private readonly counter = { nonFinite: 0 };
  private cachedSecond = -1;
  private readonly cachedSecondText = new Uint8Array(24);
  private cachedSecondLength = 0;

  /** Writes the header line at once; `textBytes` must be the row producer's (FlowRowLayout.textBytes). */
  constructor(sink: ByteSink, columnNames: readonly string[], formats: readonly CellFormat[], textBytes = MAX_TEXT_BYTES) {
    if (columnNames.length !== formats.length) throw new Error(`${columnNames.length} columns but ${formats.length} formats`);
    this.sink = sink;
    const header = new TextEncoder().encode(columnNames.join(',') + '\n');
    sink.ensure(header.length);
    sink.buf.set(header, sink.pos);
    sink.pos += header.length;
    const runs: [number, number, number][] = [];
    formats.forEach((f, c) => {
      const last = runs[runs.length - 1];
      if (last && last[0] === f) last[2] = c + 1;
      else runs.push([f, c, c + 1]);
    });
    this.runFormat = Uint8Array.from(runs.map((r) => r[0]));
    this.runStart = Int32Array.from(runs.map((r) => r[1]));
    this.runEnd = Int32Array.from(runs.map((r) => r[2]));
    this.layout = new FlowRowLayout(formats, textBytes);
    this.maxRowBytes = formats.length * MAX_CELL_BYTES + this.layout.bytes + 1024;
    this.row = new FlowRow(this.layout);
  }

  nextRow(): FlowRow {
    return this.row;
  }

  commit(): void {
    this.writeRow(this.row);
  }

  /**
   * baseSec + ns as epoch seconds with exactly 9 decimals (tshark's frame.time_epoch format). Rows written
   * one after the other mostly share their second: its digits are kept and copied.
   */
  private timestamp(buf: Uint8Array, p: number, baseSec: number, ns: number): number {
    const n = Math.round(ns);
    const extra = Math.floor(n / 1e9);
    const sec = baseSec + extra;
    if (!(sec >= 0 && sec < TWO_POW_53)) return fallback(buf, p, sec + (n - extra * 1e9) / 1e9, this.counter);
    if (sec !== this.cachedSecond) {
      this.cachedSecond = sec;
      this.cachedSecondLength = uint53(this.cachedSecondText, 0, sec);
    }
    const text = this.cachedSecondText;
    const len = this.cachedSecondLength;
    for (let i = 0; i < len; i++) buf[p + i] = text[i];
    p += len;
    buf[p++] = DOT;
    return fraction9(buf, p, n - extra * 1e9);
  }

  /** cells that were not finite numbers (written as 0); a correct feature set never produces one */
  get nonFiniteCells(): number {
    return this.counter.nonFinite;
  }

  /** Appends a line another thread formatted (its newline included). */
  appendLine(bytes: Uint8Array, length: number): void {
    const sink = this.sink;
    sink.ensure(length);
    sink.buf.set(length === bytes.length ? bytes : bytes.subarray(0, length), sink.pos);
    sink.pos += length;
  }

  /** Formats one row (laid out as this.layout says) and appends it to the sink. */
  writeRow(row: FlowRow): void {
    const sink = this.sink;
    const slotOf = this.layout.slotOf;
    const textBytes = this.layout.textBytes;
    sink.ensure(this.maxRowBytes);
    const buf = sink.buf;
    let p = sink.pos;
    const n = row.numbers;
    const runs = this.runFormat.length;
    for (let r = 0; r < runs; r++) {
      const end = this.runEnd[r];
      let c = this.runStart[r];
      switch (this.runFormat[r]) {
        case CellFormat.int:
          for (; c < end; c++) {
            const v = n[c];
            // most cells of a flow row are counters below 10, and -1 marks "no such packet"
            if (v >>> 0 === v) {
              if (v < 10) buf[p++] = ZERO + v;
              else p = uint32(buf, p, v);
            } else if (v === -1) {
              buf[p++] = MINUS;
              buf[p++] = ZERO + 1;
            } else {
              p = otherNumber(buf, p, v, this.counter);
            }
            buf[p++] = COMMA;
          }
          break;
        case CellFormat.decimal:
          for (; c < end; c++) {
            const v = n[c];
            if (v >>> 0 === v && v < 10) buf[p++] = ZERO + v;
            else p = decimal(buf, p, v, this.counter);
            buf[p++] = COMMA;
          }
          break;
        case CellFormat.seconds:
          for (; c < end; c++) {
            const v = n[c];
            if (v === 0) buf[p++] = ZERO;
            else p = seconds(buf, p, v, this.counter);
            buf[p++] = COMMA;
          }
          break;
        case CellFormat.timestamp:
          for (; c < end; c++) {
            p = this.timestamp(buf, p, row.baseSec, n[c]);
            buf[p++] = COMMA;
          }
          break;
        case CellFormat.text:
          for (; c < end; c++) {
            const text = row.textBytes;
            const at = slotOf[c] * textBytes;
            const length = n[c];
            for (let i = 0; i < length; i++) buf[p++] = text[at + i];
            buf[p++] = COMMA;
          }
          break;
        default:
          for (; c < end; c++) {
            const w = slotOf[c] * 5;
            p = row.words[w + 4] === 1 ? ipv6Text(buf, p, row.words, w, this.groups) : ipv4Text(buf, p, row.words[w]);
            buf[p++] = COMMA;
          }
      }
    }
    // every cell ends with a comma; the last one becomes the line end
    buf[p - 1] = NEWLINE;
    sink.pos = p;
  }
}

/** Decimal digits of an integer in [0, 2^32), two at a time, written from the end. */
function uint32(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = ZERO + n;
    return p + 1;
  }
  const len = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : n < 100000 ? 5 : n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
  const end = p + len;
  let i = end;
  let v = n;
  if (v >= 2147483648) {
    const q = Math.floor(v / 100);
    const r = (v - q * 100) << 1;
    buf[--i] = PAIRS[r + 1];
    buf[--i] = PAIRS[r];
    v = q;
  }
  v |= 0;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    buf[--i] = PAIRS[r + 1];
    buf[--i] = PAIRS[r];
    v = q;
  }
  if (v >= 10) {
    buf[--i] = PAIRS[(v << 1) + 1];
    buf[--i] = PAIRS[v << 1];
  } else {
    buf[--i] = ZERO + v;
  }
  return end;
}

/** A non-negative integer below 2^53: the high part, then the low 9 digits. */
function uint53(buf: Uint8Array, p: number, n: number): number {
  if (n < TWO_POW_32) return uint32(buf, p, n);
  const high = Math.floor(n / 1e9);
  p = uint53(buf, p, high);
  return fraction9(buf, p, n - high * 1e9);
}

/** Integers outside [0, 2^32), non-integers and non-finite values in an int column. */
function otherNumber(buf: Uint8Array, p: number, v: number, counter: { nonFinite: number }): number {
  if (Math.floor(v) === v && v > -TWO_POW_53 && v < TWO_POW_53) {
    if (v >= 0) return uint53(buf, p, v);
    buf[p++] = MINUS;
    return uint53(buf, p, -v);
  }
  return fallback(buf, p, v, counter);
}

function decimal(buf: Uint8Array, p: number, v: number, counter: { nonFinite: number }): number {
  if (v >>> 0 === v) return uint32(buf, p, v);
  if (v < 0) {
    buf[p++] = MINUS;
    v = -v;
  }
  if (v < DECIMAL_PATH_LIMIT) {
    const scaled = Math.round(v * DECIMALS_SCALE);
    const whole = Math.floor(scaled / DECIMALS_SCALE);
    p = uint53(buf, p, whole);
    const frac = scaled - whole * DECIMALS_SCALE;
    if (frac > 0) {
      buf[p++] = DOT;
      p = fraction6(buf, p, frac);
    }
    return p;
  }
  return fallback(buf, p, Math.round(v), counter);
}

/** Nanoseconds as seconds, at most 9 decimals, trailing zeros dropped. */
function seconds(buf: Uint8Array, p: number, ns: number, counter: { nonFinite: number }): number {
  let n = Math.round(ns);
  if (n < 0) {
    buf[p++] = MINUS;
    n = -n;
  }
  if (!(n < TWO_POW_53)) return fallback(buf, p, n / 1e9, counter);
  const whole = Math.floor(n / 1e9);
  p = uint53(buf, p, whole);
  const frac = n - whole * 1e9;
  if (frac > 0) {
    buf[p++] = DOT;
    p = fraction9(buf, p, frac);
    while (buf[p - 1] === ZERO) p--;
  }
  return p;
}

/** Rare values: non-finite (a bug, counted and written as 0) or beyond the integer paths. */
function fallback(buf: Uint8Array, p: number, v: number, counter: { nonFinite: number }): number {
  let text: string;
  if (!Number.isFinite(v)) {
    counter.nonFinite++;
    text = '0';
  } else {
    text = String(v);
  }
  for (let i = 0; i < text.length; i++) buf[p++] = text.charCodeAt(i);
  return p;
}

/** Exactly 9 digits of `frac` (0 <= frac < 10^9), zero-padded: nanoseconds after a second. */
function fraction9(buf: Uint8Array, p: number, frac: number): number {
  let v = frac | 0;
  let i = p + 9;
  for (let k = 0; k < 4; k++) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    buf[--i] = PAIRS[r + 1];
    buf[--i] = PAIRS[r];
    v = q;
  }
  buf[--i] = ZERO + v;
  return p + 9;
}

/** 1 to 6 digits of `frac` (0 < frac < 10^6) as a decimal fraction: zero-padded, trailing zeros dropped. */
function fraction6(buf: Uint8Array, p: number, frac: number): number {
  let v = frac | 0;
  let i = p + 6;
  for (let k = 0; k < 3; k++) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    buf[--i] = PAIRS[r + 1];
    buf[--i] = PAIRS[r];
    v = q;
  }
  let end = p + 6;
  while (buf[end - 1] === ZERO) end--;
  return end;
}
