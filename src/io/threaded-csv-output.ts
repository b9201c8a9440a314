// features.csv written by a second thread (flow-csv-worker.ts): the thread that meters flows fills rows in
// a shared ring and goes on metering while the writer formats and writes them. Callers check
// threadedCsvAvailable() first (see worker-channel.ts).

import type { CellFormat, FlowRowLayout } from '../features/feature-group.js';
import { CannotWriteError, NetmlError } from '../errors.js';
import type { WriterThreadData, WriterThreadMessage } from './flow-csv-worker.js';
import { createRowRing, RowRingProducer } from './row-ring.js';
import { threadModuleAvailable, WorkerChannel, type ThreadError } from './worker-channel.js';

const WORKER_URL = new URL('./flow-csv-worker.js', import.meta.url);
/** rows in flight; at ~0.9 KB a row this is ~2 MB (the producer formats rows itself when the writer lags) */
const RING_ROWS = 2048;

export function threadedCsvAvailable(): boolean {
  return threadModuleAvailable(WORKER_URL);
}

export class ThreadedCsvOutput {
  /** the ring, for a producer on another thread (the flow feature thread) */
  readonly shared: SharedArrayBuffer;
  readonly rows: RowRingProducer;
  private readonly path: string;
  private readonly channel: WorkerChannel<WriterThreadMessage>;

  private constructor(path: string, shared: SharedArrayBuffer, rows: RowRingProducer, channel: WorkerChannel<WriterThreadMessage>) {
    this.path = path;
    this.shared = shared;
    this.rows = rows;
    this.channel = channel;
  }

  /**
   * Starts the writer thread on `path` (written atomically: a temporary name renamed when complete). Rows
   * can be filled at once: the thread's start-up (~60 ms) overlaps the first batches instead of delaying
   * them. The caller checks first that the output directory is writable (see checkOutputs).
   */
  static start(path: string, columnNames: string[], formats: readonly CellFormat[], layout: FlowRowLayout): ThreadedCsvOutput {
    const shared = createRowRing(layout, RING_ROWS);
    const data: WriterThreadData = { shared, path, columnNames, formats: [...formats], textBytes: layout.textBytes };
    const channel = new WorkerChannel<WriterThreadMessage>(WORKER_URL, data, 'CSV writer thread');
    return new ThreadedCsvOutput(path, shared, new RowRingProducer(shared, layout, { columnNames, formats }), channel);
  }

  /** The writer stopped (its error is waiting in failure()). */
  get failed(): boolean {
    return this.rows.consumerFailed;
  }

  /** Publishes the rows filled so far; rethrows the writer thread's error if it stopped. */
  publish(): void {
    this.rows.publish();
    this.rows.checkConsumer();
  }

  /**
   * Waits until every row is written and the file is in place; returns the writer's figures. `finishRows`:
   * this thread fills the rows and ends them here (false when another thread produces them and finishes).
   */
  async close(finishRows = true): Promise<{ nonFiniteCells: number; bytes: number }> {
    if (finishRows) this.rows.finish();
    const first = await this.channel.next();
    if (first.type !== 'ready') throw this.errorOf(first);
    const last = await this.channel.next();
    if (last.type !== 'done') throw this.errorOf(last);
    await this.channel.terminate();
    // rows this thread formatted while the writer lagged count too
    return { nonFiniteCells: last.nonFiniteCells + this.rows.nonFiniteCells, bytes: last.bytes };
  }

  /** Stops the writer without keeping the partial file. */
  async abort(): Promise<void> {
    this.rows.abort();
    await this.channel.stopAfterAbort();
  }

  /** The error a failed writer reported (for a RingConsumerFailure caught on a producing thread). */
  async failure(): Promise<NetmlError> {
    for (;;) {
      const m = await this.channel.next();
      if (m.type !== 'ready') return this.errorOf(m);
    }
  }

  private errorOf(m: WriterThreadMessage | ThreadError): NetmlError {
    if (m.type === 'error') {
      return m.exitCode !== undefined ? new NetmlError(m.message, m.exitCode, m.hint) : new CannotWriteError(this.path, `cannot write ${this.path}: ${m.message}`);
    }
    return new CannotWriteError(this.path, `cannot write ${this.path}: the writer thread answered ${m.type}`);
  }
}
