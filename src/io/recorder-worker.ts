// The worker side of ThreadedRecorder: a PacketRecorder fed with the batches the main thread sends.

import { parentPort, workerData } from 'node:worker_threads';
import type { CaptureInterface } from '../capture/frame-batch.js';
import { NetmlError } from '../errors.js';
import { PacketRecorder, type RecorderOptions } from './packet-recorder.js';
import type { FromWorker, ToWorker } from './recorder-thread.js';

const port = parentPort!;
let recorder: PacketRecorder | undefined;
let interfaces: CaptureInterface[] = [];

function send(m: FromWorker): void {
  port.postMessage(m);
}

function report(err: unknown): void {
  if (err instanceof NetmlError) send({ kind: 'error', message: err.message, exitCode: err.exitCode, hint: err.hint });
  else send({ kind: 'error', message: `recorder thread: ${(err as Error)?.stack ?? String(err)}`, exitCode: 70 });
}

try {
  recorder = new PacketRecorder(workerData as RecorderOptions);
} catch (err) {
  report(err);
}

// messages are handled one at a time, in order: a batch's rows are written before the next batch's
let queue = Promise.resolve();
port.on('message', (m: ToWorker) => {
  queue = queue.then(() => handle(m)).catch(report);
});

async function handle(m: ToWorker): Promise<void> {
  if (!recorder) return;
  switch (m.kind) {
    case 'batch':
      if (m.interfaces.length > 0) interfaces = m.interfaces;
      recorder.record(m.batch, interfaces);
      await recorder.waitForRoom();
      send({ kind: 'done' });
      return;
    case 'flush':
      recorder.flush();
      return;
    case 'close':
      send({ kind: 'closed', problems: await recorder.close(m.interfaces) });
      return;
    case 'abandon':
      recorder.abandon();
      return;
  }
}
