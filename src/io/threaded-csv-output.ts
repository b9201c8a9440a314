// features.csv written by a second thread (flow-csv-worker.ts): the extract loop fills rows in a shared
// ring and goes on metering while the worker formats and writes them. Falls back to nothing: callers
// check threadedCsvAvailable() (the worker needs the compiled .js next to this module; under the test
// runner the sources are TypeScript and extract writes on its own thread instead).

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CellFormat, FlowRowLayout } from '../features/feature-group.js';
import { CannotWriteError, NetmlError } from '../errors.js';
import type { WriterThreadData, WriterThreadMessage } from './flow-csv-worker.js';
import { createRowRing, RowRingFailure, RowRingProducer } from './row-ring.js';

const WORKER_URL = new URL('./flow-csv-worker.js', import.meta.url);
/** rows in flight; at ~0.9 KB a row this is ~4 MB */
const RING_ROWS = 4096;

export function threadedCsvAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export class ThreadedCsvOutput {
  readonly rows: RowRingProducer;
  private readonly path: string;
  private readonly worker: Worker;
  private readonly messages: WriterThreadMessage[] = [];
  private waiting: (() => void) | undefined;
  private exited = false;

  private constructor(path: string, worker: Worker, rows: RowRingProducer) {
    this.path = path;
    this.worker = worker;
    this.rows = rows;
    worker.on('message', (m: WriterThreadMessage) => this.deliver(m));
    worker.on('error', (err) => this.deliver({ type: 'error', message: err.message }));
    worker.on('exit', () => {
      this.exited = true;
      this.deliver({ type: 'error', message: 'the CSV writer thread exited early' });
    });
  }

  /**
   * Starts the writer thread on `path` (written atomically: a temporary name renamed when complete). Rows
   * can be filled at once: the thread's start-up (~60 ms) overlaps the first batches instead of delaying
   * them. The caller checks first that the output directory is writable (see probeWritable).
   */
  static start(path: string, columnNames: string[], formats: readonly CellFormat[], layout: FlowRowLayout): ThreadedCsvOutput {
    const shared = createRowRing(layout, RING_ROWS);
    const data: WriterThreadData = { shared, path, columnNames, formats: [...formats], textBytes: layout.textBytes };
    // execArgv: the thread needs none of the flags the CLI was started with (some, like --input-type, break it)
    const worker = new Worker(WORKER_URL, { workerData: data, execArgv: [] });
    return new ThreadedCsvOutput(path, worker, new RowRingProducer(shared, layout));
  }

  /** Publishes the rows filled so far; rethrows the writer thread's error if it stopped. */
  publish(): void {
    this.rows.publish();
    if (this.rows.consumerFailed) throw new RowRingFailure();
  }

  /** Waits until every row is written and the file is in place; returns the writer's figures. */
  async close(): Promise<{ nonFiniteCells: number; bytes: number }> {
    this.rows.finish();
    const first = await this.next();
    if (first.type !== 'ready') throw this.errorOf(first);
    const last = await this.next();
    if (last.type !== 'done') throw this.errorOf(last);
    await this.worker.terminate();
    return { nonFiniteCells: last.nonFiniteCells, bytes: last.bytes };
  }

  /** Stops the writer without keeping the partial file. */
  async abort(): Promise<void> {
    this.rows.abort();
    if (!this.exited) {
      const timer = setTimeout(() => void this.worker.terminate(), 5000);
      let m = await this.next();
      if (m.type === 'ready') m = await this.next();
      clearTimeout(timer);
      await this.worker.terminate();
    }
  }

  /** The error a failed writer reported (for a RowRingFailure caught on the main thread). */
  async failure(): Promise<NetmlError> {
    for (;;) {
      const m = await this.next();
      if (m.type !== 'ready') return this.errorOf(m);
    }
  }

  private deliver(m: WriterThreadMessage): void {
    this.messages.push(m);
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.();
  }

  private async next(): Promise<WriterThreadMessage> {
    while (this.messages.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
    return this.messages.shift()!;
  }

  private errorOf(m: WriterThreadMessage): NetmlError {
    if (m.type === 'error') {
      return m.exitCode !== undefined ? new NetmlError(m.message, m.exitCode, m.hint) : new CannotWriteError(this.path, `cannot write ${this.path}: ${m.message}`);
    }
    return new CannotWriteError(this.path, `cannot write ${this.path}: the writer thread answered ${m.type}`);
  }
}
