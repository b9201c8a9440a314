// Writes features.csv rows as bytes straight into the sink's buffer, like packet-csv-writer.ts: a flow row
// has ~76 cells, and building it from JS strings would cost more than metering the flow did.
// Numbers are formatted by integer arithmetic: times are integer nanoseconds, so seconds are printed
// exactly (9 decimals at most); other non-integers are rounded to 6 decimals (a millionth of a byte or of
// a packet per second is far below anything a model can use) with trailing zeros dropped. That is ~10x
// faster than Number#toString and gives the same text for every value whose shortest form has at most
// 6 decimals. Values that do not fit the integer path (>= 9e9 with decimals) fall back to rounding to an
// integer, and past 2^53 to Number#toString.

import type { RowSink } from '../features/flow-feature-set.js';

/** What the writer needs of a FileSink (tests pass an in-memory one). */
export interface ByteSink {
  buf: Uint8Array;
  pos: number;
  ensure(n: number): void;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
/** longest row: 76 cells of at most ~24 bytes, two IPv6 addresses, 32 history letters; with room to spare */
const MAX_ROW_BYTES = 8192;
const TWO_POW_53 = 9007199254740992;
const DECIMALS_SCALE = 1e6;
/** above this, v * 1e6 would not be an exact integer any more */
const DECIMAL_PATH_LIMIT = TWO_POW_53 / DECIMALS_SCALE;

const HEX = new Uint8Array(Array.from('0123456789abcdef', (c) => c.charCodeAt(0)));
const OCTET_TEXT: Uint8Array[] = Array.from({ length: 256 }, (_, i) => new TextEncoder().encode(String(i)));

export class FlowCsvWriter implements RowSink {
  /** cells that were not finite numbers (written as 0); a correct feature set never produces one */
  nonFiniteCells = 0;
  private readonly sink: ByteSink;
  private buf: Uint8Array;
  private p = 0;
  private readonly digits = new Uint8Array(24);
  private readonly groups = new Uint16Array(8);

  /** Writes the header line at once. */
  constructor(sink: ByteSink, header: string) {
    this.sink = sink;
    const bytes = new TextEncoder().encode(header + '\n');
    sink.ensure(bytes.length);
    sink.buf.set(bytes, sink.pos);
    sink.pos += bytes.length;
    this.buf = sink.buf;
  }

  beginRow(): void {
    this.sink.ensure(MAX_ROW_BYTES);
    this.buf = this.sink.buf;
    this.p = this.sink.pos;
  }

  endRow(): void {
    // every cell ends with a comma; the last one becomes the line end
    this.buf[this.p - 1] = NEWLINE;
    this.sink.pos = this.p;
  }

  int(n: number): void {
    if (n >= 0 && n < TWO_POW_53) {
      this.p = this.uint(this.p, n);
    } else if (n < 0 && n > -TWO_POW_53) {
      this.buf[this.p++] = MINUS;
      this.p = this.uint(this.p, -n);
    } else {
      this.fallback(n);
      return;
    }
    this.buf[this.p++] = COMMA;
  }

  decimal(v: number): void {
    if (v === 0) {
      this.buf[this.p++] = ZERO;
      this.buf[this.p++] = COMMA;
      return;
    }
    const buf = this.buf;
    let p = this.p;
    if (v < 0) {
      buf[p++] = MINUS;
      v = -v;
    }
    if (v < DECIMAL_PATH_LIMIT) {
      const scaled = Math.round(v * DECIMALS_SCALE);
      const whole = Math.floor(scaled / DECIMALS_SCALE);
      p = this.uint(p, whole);
      const frac = scaled - whole * DECIMALS_SCALE;
      if (frac > 0) {
        buf[p++] = DOT;
        p = fraction(buf, p, frac, 6, true);
      }
      this.p = p;
      buf[this.p++] = COMMA;
      return;
    }
    this.p = p;
    this.fallback(Math.round(v));
  }

  seconds(ns: number): void {
    const buf = this.buf;
    let p = this.p;
    let n = Math.round(ns);
    if (n < 0) {
      buf[p++] = MINUS;
      n = -n;
    }
    if (!(n < TWO_POW_53)) {
      this.p = p;
      this.fallback(n / 1e9);
      return;
    }
    const whole = Math.floor(n / 1e9);
    p = this.uint(p, whole);
    const frac = n - whole * 1e9;
    if (frac > 0) {
      buf[p++] = DOT;
      p = fraction(buf, p, frac, 9, true);
    }
    buf[p++] = COMMA;
    this.p = p;
  }

  timestamp(baseSec: number, ns: number): void {
    const n = Math.round(ns);
    const extra = Math.floor(n / 1e9);
    const sec = baseSec + extra;
    if (!(sec >= 0 && sec < TWO_POW_53)) {
      this.fallback(sec + (n - extra * 1e9) / 1e9);
      return;
    }
    let p = this.uint(this.p, sec);
    this.buf[p++] = DOT;
    p = fraction(this.buf, p, n - extra * 1e9, 9, false);
    this.buf[p++] = COMMA;
    this.p = p;
  }

  address(words: Uint32Array, at: number, v6: boolean): void {
    const buf = this.buf;
    let p = this.p;
    if (!v6) {
      p = ipv4(buf, p, words[at]);
    } else {
      const g = this.groups;
      for (let i = 0; i < 4; i++) {
        const w = words[at + i];
        g[2 * i] = w >>> 16;
        g[2 * i + 1] = w & 0xffff;
      }
      p = ipv6(buf, p, g, words[at + 3]);
    }
    buf[p++] = COMMA;
    this.p = p;
  }

  text(ascii: Uint8Array): void {
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < ascii.length; i++) buf[p++] = ascii[i];
    buf[p++] = COMMA;
    this.p = p;
  }

  textPart(ascii: Uint8Array, length: number): void {
    const buf = this.buf;
    let p = this.p;
    for (let i = 0; i < length; i++) buf[p++] = ascii[i];
    buf[p++] = COMMA;
    this.p = p;
  }

  /** Rare values: non-finite (a bug, counted and written as 0) or beyond the integer paths. */
  private fallback(v: number): void {
    let text: string;
    if (!Number.isFinite(v)) {
      this.nonFiniteCells++;
      text = '0';
    } else {
      text = String(v);
    }
    for (let i = 0; i < text.length; i++) this.buf[this.p++] = text.charCodeAt(i);
    this.buf[this.p++] = COMMA;
  }

  /** Decimal digits of a non-negative integer below 2^53. */
  private uint(p: number, n: number): number {
    const buf = this.buf;
    if (n < 10) {
      buf[p] = ZERO + n;
      return p + 1;
    }
    if (n < 100) {
      const tens = (n / 10) | 0;
      buf[p] = ZERO + tens;
      buf[p + 1] = ZERO + n - tens * 10;
      return p + 2;
    }
    const d = this.digits;
    let len = 0;
    if (n < 2147483648) {
      let v = n | 0;
      while (v > 0) {
        const q = (v / 10) | 0;
        d[len++] = ZERO + v - q * 10;
        v = q;
      }
    } else {
      let v = n;
      while (v > 0) {
        const q = Math.floor(v / 10);
        d[len++] = ZERO + v - q * 10;
        v = q;
      }
    }
    for (let i = len - 1; i >= 0; i--) buf[p++] = d[i];
    return p;
  }
}

/** `width` zero-padded digits of `frac` (< 10^width, < 2^31); with `trim`, trailing zeros dropped. */
function fraction(buf: Uint8Array, p: number, frac: number, width: number, trim: boolean): number {
  let v = frac | 0;
  for (let i = width - 1; i >= 0; i--) {
    const q = (v / 10) | 0;
    buf[p + i] = ZERO + v - q * 10;
    v = q;
  }
  let end = p + width;
  if (trim) while (end > p + 1 && buf[end - 1] === ZERO) end--;
  return end;
}

function ipv4(buf: Uint8Array, p: number, w: number): number {
  let t = OCTET_TEXT[w >>> 24];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  buf[p++] = DOT;
  t = OCTET_TEXT[(w >>> 16) & 0xff];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  buf[p++] = DOT;
  t = OCTET_TEXT[(w >>> 8) & 0xff];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  buf[p++] = DOT;
  t = OCTET_TEXT[w & 0xff];
  for (let i = 0; i < t.length; i++) buf[p++] = t[i];
  return p;
}

/** RFC 5952 text: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups as "::". */
function ipv6(buf: Uint8Array, p: number, g: Uint16Array, lastWord: number): number {
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (g[i] === 0) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped (::ffff:a.b.c.d) keeps the dotted quad, as inet_ntop and packets.csv print it
  if (bestStart === 0 && bestLen === 5 && g[5] === 0xffff) {
    buf[p++] = COLON;
    buf[p++] = COLON;
    for (let i = 0; i < 4; i++) buf[p++] = 0x66;
    buf[p++] = COLON;
    return ipv4(buf, p, lastWord);
  }
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      buf[p++] = COLON;
      buf[p++] = COLON;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) buf[p++] = COLON;
    const v = g[i];
    if (v >= 0x1000) buf[p++] = HEX[v >> 12];
    if (v >= 0x100) buf[p++] = HEX[(v >> 8) & 15];
    if (v >= 0x10) buf[p++] = HEX[(v >> 4) & 15];
    buf[p++] = HEX[v & 15];
  }
  return p;
}
