// The flow features computed on a thread of their own (flow-features-worker.ts): the extract thread reads,
// decodes and keeps the flow table, and sends the table's events through a shared ring; the feature thread
// updates the feature groups and hands finished rows to the CSV writer thread. Three threads on two cores
// (medians of A/B runs against one thread plus the writer): SYN floods 11-14% faster, 5x captures 5-11%;
// a 1M-packet capture of ordinary traffic ~5% slower, as the third thread's start-up and compilation are not
// paid back there.

import { ExitCode, NetmlError } from '../errors.js';
import type { LabelRule } from '../features/flow-labels.js';
import { createFlowEventRing, FlowEventProducer } from '../flow/flow-event-stream.js';
import type { FlowTable } from '../flow/flow-table.js';
import type { FeatureThreadData, FeatureThreadMessage } from './flow-features-worker.js';
import { threadModuleAvailable, WorkerChannel, type ThreadError } from './worker-channel.js';

const WORKER_URL = new URL('./flow-features-worker.js', import.meta.url);
/** events in flight, 64 bytes each: 1 MiB, two batches of packets (4x more measured no faster) */
const RING_EVENTS = 16384;

export function threadedFlowFeaturesAvailable(): boolean {
  return threadModuleAvailable(WORKER_URL);
}

/** The columns the thread makes: netml's or CICFlowMeter's, with a label column when there are rules. */
export interface FeatureThreadColumns {
  format: 'netml' | 'cic';
  rules: readonly LabelRule[] | undefined;
}

export class ThreadedFlowFeatures {
  readonly events: FlowEventProducer;
  private readonly channel: WorkerChannel<FeatureThreadMessage>;

  /** Starts the feature thread and attaches `table` to it; rows go to the row ring `rows`. */
  constructor(table: FlowTable, rows: SharedArrayBuffer, columns: FeatureThreadColumns) {
    const events = createFlowEventRing(RING_EVENTS);
    const data: FeatureThreadData = { events, rows, capacity: table.capacity, ...columns };
    this.channel = new WorkerChannel<FeatureThreadMessage>(WORKER_URL, data, 'flow feature thread');
    this.events = new FlowEventProducer(events, table);
    table.attach(this.events);
  }

  /** The thread stopped (its error is waiting in failure()). */
  get failed(): boolean {
    return this.events.consumerFailed;
  }

  /** Publishes the events of the batch; throws if the feature thread stopped. */
  publish(): void {
    this.events.publish();
    this.events.checkConsumer();
  }

  /** No more events: waits for the thread's last row and its counts. */
  async close(): Promise<{ rowsWritten: number; nonFiniteCells: number; labelCounts: Record<string, number> | undefined }> {
    this.events.finish();
    const m = await this.channel.next();
    if (m.type !== 'done') throw this.errorOf(m);
    await this.channel.terminate();
    return { rowsWritten: m.rowsWritten, nonFiniteCells: m.nonFiniteCells, labelCounts: m.labelCounts };
  }

  /** Stops the thread; it stops the writer's rows too. */
  async abort(): Promise<void> {
    this.events.abort();
    await this.channel.stopAfterAbort();
  }

  /** The error the thread reported (for a RingConsumerFailure caught on the extract thread). */
  async failure(): Promise<NetmlError> {
    return this.errorOf(await this.channel.next());
  }

  private errorOf(m: FeatureThreadMessage | ThreadError): NetmlError {
    if (m.type === 'error') return new NetmlError(`the flow feature thread failed: ${m.message}`, m.exitCode ?? ExitCode.internal, m.hint);
    return new NetmlError(`the flow feature thread answered ${m.type}`, ExitCode.internal);
  }
}
