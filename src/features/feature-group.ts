// The one small interface every flow feature group implements (RustiFlow's update/close/columns, NFStream's
// on_init/on_update/on_expire): a group owns its per-flow state in typed arrays indexed by the flow
// table's slot, updates it per packet, and when the flow ends puts its block of cells into a FlowRow.
// A feature set (flow-feature-set.ts) is a list of groups; the CSV header is the concatenation of their
// columns. Groups store values, the CSV writer formats them: a row is ~76 cells, and one tight formatting
// loop per run of same-format cells costs less than a method call per cell.

import type { PacketMeta } from '../decode/packet-meta.js';
import type { EndReason } from '../flow/flow-table.js';
import type { ColumnSpec } from '../schema/packet-columns.js';

/** How a cell's value is stored in FlowRow and written to CSV. */
export const CellFormat = {
  /** an integer, possibly negative (-1 for "no such packet") */
  int: 0,
  /** a finite number written with at most 6 decimals, trailing zeros dropped */
  decimal: 1,
  /** a duration stored in nanoseconds, written in seconds with at most 9 decimals */
  seconds: 2,
  /** a capture time stored as nanoseconds after FlowRow.baseSec, written as epoch seconds with 9 decimals */
  timestamp: 3,
  /** ASCII text without commas, quotes or newlines: FlowRow.texts / textLengths */
  text: 4,
  /** an IPv4 or IPv6 address: FlowRow.addresses (4 words per column) / addressIsV6 */
  address: 5,
} as const;
export type CellFormat = (typeof CellFormat)[keyof typeof CellFormat];

/** longest text cell by default: a history of 32 letters plus its ^ fits (a layout may ask for more) */
export const MAX_TEXT_BYTES = 40;
const ADDRESS_WORDS = 5; // four address words and the IPv6 flag

/**
 * Where a row's cells live in its bytes: the numbers (one Float64 per column, then baseSec), the addresses
 * (5 words each) and the texts (textBytes each, MAX_TEXT_BYTES unless asked; a text cell's number is its
 * length). The layout is plain data, so a row can sit in a SharedArrayBuffer and be formatted by another
 * thread (which rebuilds the same layout from the formats and textBytes).
 */
export class FlowRowLayout {
  readonly columns: number;
  /** bytes of one row, a multiple of 8 */
  readonly bytes: number;
  /** for address and text columns: the index of their address or text slot; -1 otherwise */
  readonly slotOf: Int32Array;
  readonly wordsOffset: number;
  readonly textOffset: number;
  /** bytes of each text slot: the longest text a cell may hold */
  readonly textBytes: number;

  constructor(formats: readonly CellFormat[], textBytes = MAX_TEXT_BYTES) {
    this.columns = formats.length;
    this.textBytes = textBytes;
    this.slotOf = new Int32Array(formats.length).fill(-1);
    let addresses = 0;
    let texts = 0;
    formats.forEach((f, c) => {
      if (f === CellFormat.address) this.slotOf[c] = addresses++;
      else if (f === CellFormat.text) this.slotOf[c] = texts++;
    });
    this.wordsOffset = (formats.length + 1) * 8;
    this.textOffset = this.wordsOffset + addresses * ADDRESS_WORDS * 4;
    this.bytes = Math.ceil((this.textOffset + texts * textBytes) / 8) * 8;
  }
}

/** One row's cells before formatting, by column index; reused for every row. */
export class FlowRow {
  readonly layout: FlowRowLayout;
  /** a number per column (for text cells: the text's length), then baseSec */
  readonly numbers: Float64Array;
  readonly words: Uint32Array;
  readonly textBytes: Uint8Array;

  constructor(layout: FlowRowLayout, buffer: ArrayBufferLike = new ArrayBuffer(layout.bytes), byteOffset = 0) {
    this.layout = layout;
    this.numbers = new Float64Array(buffer, byteOffset, layout.columns + 1);
    this.words = new Uint32Array(buffer, byteOffset + layout.wordsOffset, (layout.textOffset - layout.wordsOffset) / 4);
    this.textBytes = new Uint8Array(buffer, byteOffset + layout.textOffset, layout.bytes - layout.textOffset);
  }

  /** whole seconds that timestamp cells count their nanoseconds from */
  get baseSec(): number {
    return this.numbers[this.layout.columns];
  }

  set baseSec(sec: number) {
    this.numbers[this.layout.columns] = sec;
  }

  /** ASCII text (no commas, quotes or newlines), at most layout.textBytes of it */
  text(column: number, ascii: Uint8Array, length = ascii.length): void {
    const max = this.layout.textBytes;
    const n = length < max ? length : max;
    const at = this.layout.slotOf[column] * max;
    const out = this.textBytes;
    for (let i = 0; i < n; i++) out[at + i] = ascii[i];
    this.numbers[column] = n;
  }

  /** An address from flow-key words: IPv4 in words[at], IPv6 in words[at..at+3]. */
  address(column: number, words: Uint32Array, at: number, v6: boolean): void {
    const a = this.words;
    const c = this.layout.slotOf[column] * ADDRESS_WORDS;
    a[c] = words[at];
    a[c + 1] = v6 ? words[at + 1] : 0;
    a[c + 2] = v6 ? words[at + 2] : 0;
    a[c + 3] = v6 ? words[at + 3] : 0;
    a[c + 4] = v6 ? 1 : 0;
  }
}

export interface FlowFeatureGroup {
  /** this group's block of columns, in the order write() fills them (from src/schema) */
  readonly columns: readonly ColumnSpec[];
  /** how each of those columns is stored and written */
  readonly formats: readonly CellFormat[];
  /** bytes of typed-array state per flow slot, for sizing --max-flows from a memory budget */
  readonly bytesPerFlow: number;
  /** `slot` starts a record whose first packet is `meta` (update follows with the same packet) */
  open(slot: number, continued: boolean, meta: PacketMeta): void;
  /** every packet of the flow; groups that need nothing per packet leave it out */
  update?(slot: number, side: number, meta: PacketMeta, timeNs: number, wireLen: number): void;
  /** Fills columns at, at + 1, ... of `row` for the flow in `slot`. */
  write(slot: number, reason: EndReason, row: FlowRow, at: number): void;
}

/** Sample standard deviation from Welford's running sum of squared deviations; 0 below 2 values. */
export function sampleStd(m2: number, count: number): number {
  return count > 1 && m2 > 0 ? Math.sqrt(m2 / (count - 1)) : 0;
}

export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** `count` copies of a format, for runs of same-format columns. */
export function repeat(format: CellFormat, count: number): CellFormat[] {
  return Array<CellFormat>(count).fill(format);
}
