// The writer thread of `netml extract`: formats the rows the main thread puts in the shared ring
// (row-ring.ts) and writes them to the output file with plain synchronous writes (this thread has nothing
// else to do). Started by threaded-csv-output.ts; reports 'ready', then 'done' or 'error'.

import { parentPort, workerData } from 'node:worker_threads';
import type { CellFormat } from '../features/feature-group.js';
import { FileSink } from './file-sink.js';
import { FlowCsvWriter } from './flow-csv-writer.js';
import { RowRingConsumer } from './row-ring.js';
import { threadError, type ThreadError } from './worker-channel.js';

export interface WriterThreadData {
  shared: SharedArrayBuffer;
  path: string;
  columnNames: string[];
  formats: CellFormat[];
  /** the producer's FlowRowLayout.textBytes, so both threads lay rows out alike */
  textBytes: number;
}

export type WriterThreadMessage = { type: 'ready' } | { type: 'done'; nonFiniteCells: number; bytes: number } | { type: 'aborted' } | ThreadError;

const data = workerData as WriterThreadData;
const port = parentPort!;
let sink: FileSink | undefined;
let consumer: RowRingConsumer | undefined;
try {
  sink = new FileSink(data.path, { atomic: true, blockBytes: 1 << 20 });
  const writer = new FlowCsvWriter(sink, data.columnNames, data.formats, data.textBytes);
  consumer = new RowRingConsumer(data.shared, writer.layout);
  port.postMessage({ type: 'ready' } satisfies WriterThreadMessage);
  const outcome = consumer.runRows(
    (row) => writer.writeRow(row),
    (line, length) => writer.appendLine(line, length),
  );
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
  port.postMessage(threadError(err) satisfies WriterThreadMessage);
}
