// Finished FlowRows in a shared ring (shared-ring.ts): the thread that meters flows fills rows and the
// writer thread formats them as CSV and writes the file (flow-csv-worker.ts). On a SYN flood almost every
// packet ends a flow, and formatting its ~76 cells cost as much as everything else together; on another
// core it costs the metering thread nothing.
// When the writer falls behind (the ring more than half full), the producer formats rows itself and puts
// the CSV line in the record instead: the work moves to whichever thread has time, rows stay in order.

import { FlowRow, type CellFormat, type FlowRowLayout } from '../features/feature-group.js';
import type { RowSink } from '../features/flow-feature-set.js';
import { FlowCsvWriter, LineBuffer } from './flow-csv-writer.js';
import { createSharedRing, ringCapacity, RING_CONTROL_BYTES, RingConsumer, RingProducer } from './shared-ring.js';

const CSV_WRITER_THREAD = 'CSV writer thread';
/** each record: the length of its CSV line when the producer formatted it (0: a row to format), then the row */
const RECORD_HEADER_BYTES = 8;

export function createRowRing(layout: FlowRowLayout, capacity: number): SharedArrayBuffer {
  return createSharedRing(recordBytes(layout), capacity);
}

function recordBytes(layout: FlowRowLayout): number {
  return RECORD_HEADER_BYTES + layout.bytes;
}

interface RingRecords {
  rows: FlowRow[];
  /** per record: the bytes of its row area, where a formatted line goes */
  lines: Uint8Array[];
  /** lineLength[record * record words]: the first word of each record's header, its formatted line's length */
  lineLength: Int32Array;
}

function ringRecords(shared: SharedArrayBuffer, layout: FlowRowLayout): RingRecords {
  const bytes = recordBytes(layout);
  const capacity = ringCapacity(shared, bytes);
  const rowAt = (i: number) => RING_CONTROL_BYTES + i * bytes + RECORD_HEADER_BYTES;
  return {
    rows: Array.from({ length: capacity }, (_, i) => new FlowRow(layout, shared, rowAt(i))),
    lines: Array.from({ length: capacity }, (_, i) => new Uint8Array(shared, rowAt(i), layout.bytes)),
    lineLength: new Int32Array(shared, RING_CONTROL_BYTES, (capacity * bytes) / 4),
  };
}

/** The metering thread's side: a RowSink whose rows another thread formats (or this one, when that one lags). */
export class RowRingProducer extends RingProducer implements RowSink {
  private readonly records: RingRecords;
  private readonly recordWords: number;
  /** the producer formats a line here before copying it into the record */
  private readonly line = new LineBuffer(64 * 1024);
  private readonly formatter: FlowCsvWriter | undefined;
  private current = 0;

  /** `columnNames` and `formats`: to format rows here when the writer lags (without them, never). */
  constructor(shared: SharedArrayBuffer, layout: FlowRowLayout, csv?: { columnNames: readonly string[]; formats: readonly CellFormat[] }) {
    super(shared, recordBytes(layout), CSV_WRITER_THREAD);
    this.records = ringRecords(shared, layout);
    this.recordWords = recordBytes(layout) / 4;
    if (csv) {
      this.formatter = new FlowCsvWriter(this.line, csv.columnNames, csv.formats, layout.textBytes);
      this.line.pos = 0; // the header line: the writer thread writes it
    }
  }

  /** cells this side formatted that were not finite numbers (see FlowCsvWriter.nonFiniteCells) */
  get nonFiniteCells(): number {
    return this.formatter?.nonFiniteCells ?? 0;
  }

  nextRow(): FlowRow {
    this.current = this.reserve();
    return this.records.rows[this.current];
  }

  override commit(): void {
    const r = this.current;
    const header = r * this.recordWords;
    this.records.lineLength[header] = 0;
    if (this.formatter !== undefined && this.backlog > this.capacity / 2) {
      const line = this.line;
      line.pos = 0;
      this.formatter.writeRow(this.records.rows[r]);
      const into = this.records.lines[r];
      // a line longer than the row it came from (never seen: a row takes ~900 bytes, its line ~300) stays a row
      if (line.pos <= into.length) {
        into.set(line.buf.subarray(0, line.pos));
        this.records.lineLength[header] = line.pos;
      }
    }
    super.commit();
  }
}

/** The writer thread's side. */
export class RowRingConsumer extends RingConsumer {
  private readonly records: RingRecords;
  private readonly recordWords: number;

  constructor(shared: SharedArrayBuffer, layout: FlowRowLayout) {
    super(shared, recordBytes(layout));
    this.records = ringRecords(shared, layout);
    this.recordWords = recordBytes(layout) / 4;
  }

  /**
   * Passes every published record to `row` (a row to format) or `line` (a line the producer formatted: its
   * first `length` bytes), waiting for more, until the producer finishes or aborts.
   */
  runRows(row: (row: FlowRow) => void, line: (bytes: Uint8Array, length: number) => void): 'done' | 'aborted' {
    return this.run((r) => this.pass(r, row, line));
  }

  /** The same for the records published so far, without waiting. */
  takeRows(row: (row: FlowRow) => void, line: (bytes: Uint8Array, length: number) => void): 'empty' | 'done' | 'aborted' {
    return this.take((r) => this.pass(r, row, line));
  }

  private pass(r: number, row: (row: FlowRow) => void, line: (bytes: Uint8Array, length: number) => void): void {
    const length = this.records.lineLength[r * this.recordWords];
    if (length > 0) line(this.records.lines[r], length);
    else row(this.records.rows[r]);
  }
}
