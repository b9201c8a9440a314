// Runs the PacketRecorder (decode + packets.csv + capture copy) in a worker thread, so the main thread only
// reads frames: decoding and formatting cost ~530 ns per packet on one core, and on two cores this nearly
// halves the wall time of `capture --read`. Batches are copied into transferable buffers (the reader reuses
// its own) and at most MAX_IN_FLIGHT of them wait in the worker, which bounds memory.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureInterface, FrameBatch } from '../capture/frame-batch.js';
import { NetmlError } from '../errors.js';
import { type DecodeProblem, FrameTally, type Recorder, type RecorderOptions } from './packet-recorder.js';

const MAX_IN_FLIGHT = 4;
const WORKER_URL = new URL('./recorder-worker.js', import.meta.url);

/** A batch as it crosses to the worker: its own copies of the used bytes and of the per-frame arrays. */
export interface TransferredBatch {
  count: number;
  firstPacketNumber: number;
  bytes: Uint8Array;
  start: Int32Array;
  capLen: Int32Array;
  wireLen: Int32Array;
  tsSec: Float64Array;
  tsNsec: Int32Array;
  linkType: Int32Array;
  interfaceId: Int32Array;
}

export type ToWorker =
  | { kind: 'batch'; batch: TransferredBatch; interfaces: CaptureInterface[] }
  | { kind: 'flush' }
  | { kind: 'close'; interfaces: CaptureInterface[] }
  | { kind: 'abandon' };

export type FromWorker =
  | { kind: 'done' }
  | { kind: 'closed'; problems: DecodeProblem[] }
  | { kind: 'error'; message: string; exitCode: number; hint?: string };

/** The worker is the compiled file next to this one; under a TypeScript test runner it is absent. */
export function recorderWorkerAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export class ThreadedRecorder implements Recorder {
  readonly tally = new FrameTally();
  private readonly worker: Worker;
  private inFlight = 0;
  private failure: NetmlError | undefined;
  private waiters: (() => void)[] = [];
  private closedWith: ((problems: DecodeProblem[]) => void) | undefined;
  private interfacesSent = -1;

  constructor(options: RecorderOptions) {
    this.worker = new Worker(WORKER_URL, { workerData: options });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(new NetmlError(`recorder thread failed: ${err.message}`, 70, 'run again with --threads 1 and --debug, and report it')));
    this.worker.on('exit', (code) => {
      if (code !== 0 && !this.failure) this.fail(new NetmlError(`recorder thread exited with code ${code}`, 70));
    });
  }

  record(batch: FrameBatch, interfaces: readonly CaptureInterface[]): void {
    if (this.failure) throw this.failure;
    if (batch.count === 0) return;
    const transferred = copyBatch(batch);
    // interfaces only change with pcapng input; send them when they do
    const sendInterfaces = interfaces.length !== this.interfacesSent ? [...interfaces] : [];
    this.interfacesSent = interfaces.length;
    this.inFlight++;
    const message: ToWorker = { kind: 'batch', batch: transferred, interfaces: sendInterfaces };
    this.worker.postMessage(message, [
      transferred.bytes.buffer,
      transferred.start.buffer,
      transferred.capLen.buffer,
      transferred.wireLen.buffer,
      transferred.tsSec.buffer,
      transferred.tsNsec.buffer,
      transferred.linkType.buffer,
      transferred.interfaceId.buffer,
    ] as ArrayBuffer[]);
    this.tally.add(batch);
  }

  flush(): void {
    this.worker.postMessage({ kind: 'flush' } satisfies ToWorker);
  }

  async waitForRoom(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT && !this.failure) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  async close(interfaces: readonly CaptureInterface[]): Promise<DecodeProblem[]> {
    if (this.failure) throw this.failure;
    const problems = new Promise<DecodeProblem[]>((resolve) => (this.closedWith = resolve));
    this.worker.postMessage({ kind: 'close', interfaces: [...interfaces] } satisfies ToWorker);
    const result = await Promise.race([problems, this.failed()]);
    await this.worker.terminate();
    return result;
  }

  abandon(): void {
    this.worker.postMessage({ kind: 'abandon' } satisfies ToWorker);
  }

  private failed(): Promise<never> {
    return new Promise<never>((_, reject) => {
      const check = () => (this.failure ? reject(this.failure) : this.waiters.push(check));
      check();
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.kind === 'done') {
      this.inFlight--;
      this.wake();
    } else if (m.kind === 'closed') {
      this.closedWith?.(m.problems);
    } else {
      this.fail(new NetmlError(m.message, m.exitCode, m.hint));
    }
  }

  private fail(err: NetmlError): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Copies the frames of a batch into fresh buffers, re-based to start at 0. */
function copyBatch(b: FrameBatch): TransferredBatch {
  const n = b.count;
  let lo = Infinity;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    if (b.start[i] < lo) lo = b.start[i];
    const end = b.start[i] + b.capLen[i];
    if (end > hi) hi = end;
  }
  const start = b.start.slice(0, n);
  for (let i = 0; i < n; i++) start[i] -= lo;
  return {
    count: n,
    firstPacketNumber: b.firstPacketNumber,
    // Uint8Array's slice copies; Buffer's would return a view of the reader's chunk and transfer it away
    bytes: Uint8Array.prototype.slice.call(b.bytes, lo, hi),
    start,
    capLen: b.capLen.slice(0, n),
    wireLen: b.wireLen.slice(0, n),
    tsSec: b.tsSec.slice(0, n),
    tsNsec: b.tsNsec.slice(0, n),
    linkType: b.linkType.slice(0, n),
    interfaceId: b.interfaceId.slice(0, n),
  };
}
