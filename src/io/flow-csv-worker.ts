// The writer thread of `netml extract`: formats the rows the main thread puts in the shared ring
// (row-ring.ts) and writes them to the output file with plain synchronous writes (this thread has nothing
// else to do). Started by threaded-csv-output.ts; reports 'ready', then 'done' or 'error'.

import { parentPort, workerData } from 'node:worker_threads';
import type { CellFormat } from '../features/feature-group.js';
import { NetmlError } from '../errors.js';
import { FileSink } from './file-sink.js';
import { FlowCsvWriter } from './flow-csv-writer.js';
import { RowRingConsumer } from './row-ring.js';

export interface WriterThreadData {
  shared: SharedArrayBuffer;
  path: string;
  columnNames: string[];
  formats: CellFormat[];
  /** the producer's FlowRowLayout.textBytes, so both threads lay rows out alike */
  textBytes: number;
}

export type WriterThreadMessage =
  | { type: 'ready' }
  | { type: 'done'; nonFiniteCells: number; bytes: number }
  | { type: 'aborted' }
  | { type: 'error'; message: string; hint?: string; exitCode?: number };

const data = workerData as WriterThreadData;
const port = parentPort!;
let sink: FileSink | undefined;
let consumer: RowRingConsumer | undefined;
try {
  sink = new FileSink(data.path, { atomic: true, blockBytes: 1 << 20 });
  const writer = new FlowCsvWriter(sink, data.columnNames, data.formats, data.textBytes);
  consumer = new RowRingConsumer(data.shared, writer.layout);
  port.postMessage({ type: 'ready' } satisfies WriterThreadMessage);
  const outcome = consumer.run((row) => writer.writeRow(row));
  if (outcome === 'aborted') {
    sink.abandon();
    port.postMessage({ type: 'aborted' } satisfies WriterThreadMessage);
  } else {
    sink.close();
    port.postMessage({ type: 'done', nonFiniteCells: writer.nonFiniteCells, bytes: sink.bytesFlushed } satisfies WriterThreadMessage);
  }
} catch (err) {
  consumer?.fail();
  sink?.abandon();
  const e = err as Error;
  port.postMessage({
    type: 'error',
    message: e?.message ?? String(err),
    hint: err instanceof NetmlError ? err.hint : undefined,
    exitCode: err instanceof NetmlError ? err.exitCode : undefined,
  } satisfies WriterThreadMessage);
}
