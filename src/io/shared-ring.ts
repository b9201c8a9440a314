// A ring of fixed-size records in a SharedArrayBuffer between two threads: one producer, one consumer.
// extract uses it twice: the main thread's flow table sends packet events to the feature thread
// (flow-event-stream.ts), and that thread sends finished rows to the CSV writer thread (row-ring.ts).
// Counters in an Int32Array; the producer publishes records in groups (a notify per record would cost more
// than the record); Atomics.wait when the ring is full (producer) or empty (consumer), so memory stays
// bounded by the ring.

const WRITTEN = 0;
const READ = 1;
const DONE = 2;
const FAILED = 3;
const ABORTED = 4;
/** the counters, then the records (a multiple of 64, so records keep the alignment of their own size) */
export const RING_CONTROL_BYTES = 64;
const PUBLISH_EVERY = 256;
const WAIT_MS = 1000;

export function createSharedRing(recordBytes: number, capacity: number): SharedArrayBuffer {
  return new SharedArrayBuffer(RING_CONTROL_BYTES + recordBytes * capacity);
}

/** Records the ring holds. */
export function ringCapacity(shared: SharedArrayBuffer, recordBytes: number): number {
  return Math.floor((shared.byteLength - RING_CONTROL_BYTES) / recordBytes);
}

/** Thrown by a producer when its consumer has stopped; the owner then reports the consumer's error. */
export class RingConsumerFailure extends Error {
  constructor(what: string) {
    super(`the ${what} stopped`);
  }
}

/** The producer's side: reserve() the next record, fill it, commit(). */
export class RingProducer {
  readonly capacity: number;
  private readonly control: Int32Array;
  private readonly consumerName: string;
  private written = 0;
  private published = 0;
  private readSeen = 0;

  /** `consumerName` names the other thread in the error when it stops (e.g. "CSV writer thread"). */
  constructor(shared: SharedArrayBuffer, recordBytes: number, consumerName: string) {
    this.control = new Int32Array(shared, 0, RING_CONTROL_BYTES / 4);
    this.capacity = ringCapacity(shared, recordBytes);
    this.consumerName = consumerName;
  }

  /** The index of the record to fill next, waiting while the ring is full; valid until commit(). */
  reserve(): number {
    if (this.written - this.readSeen >= this.capacity) this.waitForSpace();
    return this.written % this.capacity;
  }

  commit(): void {
    this.written++;
    if (this.written - this.published >= PUBLISH_EVERY) this.publish();
  }

  /** Hands every committed record to the consumer (call at the end of each batch). */
  publish(): void {
    if (this.published === this.written) return;
    Atomics.store(this.control, WRITTEN, this.written | 0);
    Atomics.notify(this.control, WRITTEN);
    this.published = this.written;
  }

  /** No more records: the consumer finishes. */
  finish(): void {
    this.publish();
    Atomics.store(this.control, DONE, 1);
    Atomics.notify(this.control, WRITTEN);
  }

  /** Stop without finishing: the consumer drops what it made. */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.notify(this.control, WRITTEN);
  }

  get consumerFailed(): boolean {
    return Atomics.load(this.control, FAILED) === 1;
  }

  /** Throws RingConsumerFailure when the consumer has stopped (its owner then fetches the consumer's error). */
  checkConsumer(): void {
    if (this.consumerFailed) throw new RingConsumerFailure(this.consumerName);
  }

  /** records committed that the consumer has not taken yet */
  get backlog(): number {
    return (this.written - Atomics.load(this.control, READ)) | 0;
  }

  private waitForSpace(): void {
    this.publish();
    for (;;) {
      const read = Atomics.load(this.control, READ);
      this.readSeen = this.written - ((this.written - read) | 0);
      if (this.written - this.readSeen < this.capacity) return;
      // the consumer reports its failure through a message; stop waiting for a ring it will never empty
      this.checkConsumer();
      Atomics.wait(this.control, READ, read, WAIT_MS);
    }
  }
}

/** The consumer's side. */
export class RingConsumer {
  readonly capacity: number;
  private readonly control: Int32Array;
  private read = 0;

  constructor(shared: SharedArrayBuffer, recordBytes: number) {
    this.control = new Int32Array(shared, 0, RING_CONTROL_BYTES / 4);
    this.capacity = ringCapacity(shared, recordBytes);
  }

  /**
   * Passes the index of every published record to `consume`, waiting for more, until the producer finishes
   * ('done') or aborts ('aborted'). `beforeWaiting` runs each time the ring is empty, before the wait.
   */
  run(consume: (index: number) => void, beforeWaiting?: () => void): 'done' | 'aborted' {
    for (;;) {
      const written = Atomics.load(this.control, WRITTEN);
      const state = this.take(consume);
      if (state !== 'empty') return state;
      beforeWaiting?.();
      Atomics.wait(this.control, WRITTEN, written, WAIT_MS);
    }
  }

  /** Passes the records published so far to `consume`, without waiting. */
  take(consume: (index: number) => void): 'empty' | 'done' | 'aborted' {
    const control = this.control;
    const capacity = this.capacity;
    for (;;) {
      if (Atomics.load(control, ABORTED) === 1) return 'aborted';
      const done = Atomics.load(control, DONE) === 1;
      let available = (Atomics.load(control, WRITTEN) - this.read) | 0;
      if (available === 0) return done ? 'done' : 'empty';
      while (available > 0) {
        consume(this.read % capacity);
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

  /** Tells the producer that no record will be consumed any more. */
  fail(): void {
    Atomics.store(this.control, FAILED, 1);
    Atomics.notify(this.control, READ);
  }
}
