// A ring of FlowRows in a SharedArrayBuffer: the extract loop fills rows on the main thread and a worker
// thread formats them as CSV and writes the file (flow-csv-worker.ts). On a SYN flood almost every packet
// ends a flow, and formatting its ~76 cells cost as much as everything else together; on a second core it
// costs the main thread nothing. One producer, one consumer; counters in an Int32Array, Atomics.wait when
// the ring is full (producer) or empty (consumer), so memory stays bounded by the ring.

import { FlowRow, type FlowRowLayout } from '../features/feature-group.js';
import type { RowSink } from '../features/flow-feature-set.js';

const WRITTEN = 0;
const READ = 1;
const DONE = 2;
const FAILED = 3;
const ABORTED = 4;
const CONTROL_BYTES = 64;
/** rows are published to the consumer in groups: a notify per row would cost more than the row */
const PUBLISH_EVERY = 256;
const WAIT_MS = 1000;

export function createRowRing(layout: FlowRowLayout, capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + layout.bytes * capacity);
}

function rowViews(shared: SharedArrayBuffer, layout: FlowRowLayout): FlowRow[] {
  const capacity = (shared.byteLength - CONTROL_BYTES) / layout.bytes;
  return Array.from({ length: capacity }, (_, i) => new FlowRow(layout, shared, CONTROL_BYTES + i * layout.bytes));
}

/** The main thread's side: a RowSink whose rows another thread formats. */
export class RowRingProducer implements RowSink {
  private readonly control: Int32Array;
  private readonly rows: FlowRow[];
  private written = 0;
  private published = 0;
  private readSeen = 0;

  constructor(shared: SharedArrayBuffer, layout: FlowRowLayout) {
    this.control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
    this.rows = rowViews(shared, layout);
  }

  nextRow(): FlowRow {
    if (this.written - this.readSeen >= this.rows.length) this.waitForSpace();
    return this.rows[this.written % this.rows.length];
  }

  commit(): void {
    this.written++;
    if (this.written - this.published >= PUBLISH_EVERY) this.publish();
  }

  /** Hands every committed row to the consumer (call at the end of each batch). */
  publish(): void {
    if (this.published === this.written) return;
    Atomics.store(this.control, WRITTEN, this.written | 0);
    Atomics.notify(this.control, WRITTEN);
    this.published = this.written;
  }

  /** No more rows: the consumer finishes the file. */
  finish(): void {
    this.publish();
    Atomics.store(this.control, DONE, 1);
    Atomics.notify(this.control, WRITTEN);
  }

  /** Stop without finishing: the consumer drops the partial file. */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, WRITTEN);
  }

  get consumerFailed(): boolean {
    return Atomics.load(this.control, FAILED) === 1;
  }

  private waitForSpace(): void {
    this.publish();
    for (;;) {
      const read = Atomics.load(this.control, READ);
      this.readSeen = this.written - ((this.written - read) | 0);
      if (this.written - this.readSeen < this.rows.length) return;
      // the consumer reports its failure through a message; stop waiting for a ring it will never empty
      if (this.consumerFailed) throw new RowRingFailure();
      Atomics.wait(this.control, READ, read, WAIT_MS);
    }
  }
}

/** Thrown by the producer when the consumer has stopped; the owner then reports the consumer's error. */
export class RowRingFailure extends Error {
  constructor() {
    super('the CSV writer thread stopped');
  }
}

/** The writer thread's side. */
export class RowRingConsumer {
  private readonly control: Int32Array;
  private readonly rows: FlowRow[];
  private read = 0;

  constructor(shared: SharedArrayBuffer, layout: FlowRowLayout) {
    this.control = new Int32Array(shared, 0, CONTROL_BYTES / 4);
    this.rows = rowViews(shared, layout);
  }

  /**
   * Passes every published row to `consume`, waiting for more, until the producer finishes ('done') or
   * aborts ('aborted').
   */
  run(consume: (row: FlowRow) => void): 'done' | 'aborted' {
    for (;;) {
      const written = Atomics.load(this.control, WRITTEN);
      const state = this.take(consume);
      if (state !== 'empty') return state;
      Atomics.wait(this.control, WRITTEN, written, WAIT_MS);
    }
  }

  /** Passes the rows published so far to `consume`, without waiting. */
  take(consume: (row: FlowRow) => void): 'empty' | 'done' | 'aborted' {
    const control = this.control;
    const capacity = this.rows.length;
    for (;;) {
      if (Atomics.load(control, ABORTED) === 1) return 'aborted';
      const done = Atomics.load(control, DONE) === 1;
      let available = (Atomics.load(control, WRITTEN) - this.read) | 0;
      if (available === 0) return done ? 'done' : 'empty';
      while (available > 0) {
        consume(this.rows[this.read % capacity]);
        this.read++;
        available--;
        if ((this.read & 63) === 0) {
          Atomics.store(control, READ, this.read | 0);
          Atomics.notify(control, READ);
        }
      }
      Atomics.store(control, READ, this.read | 0);
      Atomics.notify(control, READ);
    }
  }

  /** Tells the producer that no row will be consumed any more. */
  fail(): void {
    Atomics.store(this.control, FAILED, 1);
    Atomics.notify(this.control, READ);
  }
}
