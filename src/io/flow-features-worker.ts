// The flow feature thread of `netml extract`: replays the flow table's events from the extract thread
// (flow-event-stream.ts) into the feature groups, and hands each finished row to the CSV writer thread
// (row-ring.ts), formatting rows itself when the writer lags. Started by threaded-flow-features.ts; reports
// 'done' with its counts, or 'error'.

import { parentPort, workerData } from 'node:worker_threads';
import { FlowFeatureSet } from '../features/flow-feature-set.js';
import { chooseFlowGroups } from '../features/flow-group-choice.js';
import { FlowLabelGroup } from '../features/flow-labels.js';
import { FlowEventConsumer } from '../flow/flow-event-stream.js';
import { RowRingProducer } from './row-ring.js';
import type { FeatureThreadColumns } from './threaded-flow-features.js';
import { threadError, type ThreadError } from './worker-channel.js';

export interface FeatureThreadData extends FeatureThreadColumns {
  /** the event ring (flow-event-stream.ts) */
  events: SharedArrayBuffer;
  /** the CSV writer's row ring */
  rows: SharedArrayBuffer;
  /** the flow table's slots */
  capacity: number;
}

export type FeatureThreadMessage =
  | { type: 'done'; rowsWritten: number; nonFiniteCells: number; labelCounts: Record<string, number> | undefined }
  | { type: 'aborted' }
  | ThreadError;

const data = workerData as FeatureThreadData;
const port = parentPort!;
let events: FlowEventConsumer | undefined;
let rows: RowRingProducer | undefined;
try {
  events = new FlowEventConsumer(data.events, data.capacity);
  const { groupsFor, textBytes } = chooseFlowGroups({ format: data.format, rules: data.rules });
  const features = new FlowFeatureSet(groupsFor(events.slots), textBytes);
  const out = new RowRingProducer(data.rows, features.layout, { columnNames: features.columns.map((c) => c.name), formats: features.formats });
  rows = out;
  features.attach(out);
  // the writer gets the rows made so far whenever this thread runs out of events
  const outcome = events.replay(features, () => out.publish());
  if (outcome === 'aborted') {
    out.abort();
    port.postMessage({ type: 'aborted' } satisfies FeatureThreadMessage);
  } else {
    out.finish();
    const labelCounts = data.rules !== undefined ? features.find(FlowLabelGroup)?.countsByClass() : undefined;
    port.postMessage({ type: 'done', rowsWritten: features.rowsWritten, nonFiniteCells: out.nonFiniteCells, labelCounts } satisfies FeatureThreadMessage);
  }
} catch (err) {
  events?.fail();
  rows?.abort();
  port.postMessage(threadError(err) satisfies FeatureThreadMessage);
}
