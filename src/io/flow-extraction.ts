// The extract stage's inner loop, apart from the CLI so tests and benchmarks drive it with any batches:
// decode each frame once into the reused PacketMeta, meter it in the flow table, and let the feature set
// write a features.csv row whenever a flow ends. One table serves every input file, so a flow that spans
// two consecutive captures stays one flow.

import type { FrameBatch } from '../capture/frame-batch.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { decodeStatusNames, PacketMeta } from '../decode/packet-meta.js';
import type { FlowFeatureGroup } from '../features/feature-group.js';
import { FlowFeatureSet, flowBytesPerSlot, flowGroups, type RowSink } from '../features/flow-feature-set.js';
import { DEFAULT_ACTIVE_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S, FlowTable } from '../flow/flow-table.js';
import { FlowCsvWriter, type ByteSink } from './flow-csv-writer.js';

/**
 * Memory the flow table and its features may take by default (--max-flows = this / bytes per slot). The
 * rest of extract's peak (Node itself ~40 MB, the capture reader ~20 MB, the CSV writer thread ~35 MB with
 * its ring and buffers) measured ~110 MB, so the process stays below 256 MB even when every slot is full.
 */
export const DEFAULT_FLOW_MEMORY_BYTES = 128 * 1024 * 1024;

export function defaultMaxFlows(groupsFor: (table: FlowTable) => FlowFeatureGroup[] = flowGroups): number {
  return Math.floor(DEFAULT_FLOW_MEMORY_BYTES / flowBytesPerSlot(groupsFor));
}

export interface FlowExtractionOptions {
  idleTimeoutS?: number;
  activeTimeoutS?: number;
  maxFlows?: number;
  /** the feature groups; default the standard flow groups (more can be appended, e.g. a label) */
  groups?: (table: FlowTable) => FlowFeatureGroup[];
}

export class FlowExtraction {
  readonly table: FlowTable;
  readonly features: FlowFeatureSet;
  /** frames read, IP or not */
  packets = 0;
  wireBytes = 0;
  readonly statusCounts = new Float64Array(decodeStatusNames.length);
  private readonly meta = new PacketMeta();

  /** Rows go to the sink given to attach() or writeCsvTo() before the first batch. */
  constructor(options: FlowExtractionOptions = {}) {
    const groupsFor = options.groups ?? flowGroups;
    this.table = new FlowTable({
      idleTimeoutS: options.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S,
      activeTimeoutS: options.activeTimeoutS ?? DEFAULT_ACTIVE_TIMEOUT_S,
      maxFlows: options.maxFlows ?? defaultMaxFlows(groupsFor),
    });
    this.features = new FlowFeatureSet(groupsFor(this.table));
    this.table.attach(this.features);
  }

  get columnNames(): string[] {
    return this.features.columns.map((c) => c.name);
  }

  /** Sends the rows to `rows` (e.g. the ring of a writer thread). */
  attach(rows: RowSink): void {
    this.features.attach(rows);
  }

  /** Formats the rows as CSV on this thread into `sink` (header first); returns the writer. */
  writeCsvTo(sink: ByteSink): FlowCsvWriter {
    const writer = new FlowCsvWriter(sink, this.columnNames, this.features.formats);
    this.features.attach(writer);
    return writer;
  }

  /** Decodes and meters every frame of the batch; rows of flows that end are written on the way. */
  addBatch(batch: FrameBatch): void {
    const meta = this.meta;
    const table = this.table;
    const bytes = batch.bytes;
    const statusCounts = this.statusCounts;
    const n = batch.count;
    let wire = 0;
    for (let i = 0; i < n; i++) {
      const start = batch.start[i];
      decodeFrame(bytes, start, start + batch.capLen[i], batch.linkType[i], meta);
      statusCounts[meta.status]++;
      const wireLen = batch.wireLen[i];
      wire += wireLen;
      table.process(meta, batch.tsSec[i], batch.tsNsec[i], wireLen);
    }
    this.packets += n;
    this.wireBytes += wire;
  }

  /** Ends every open flow (end-of-input) and writes their rows. */
  finish(): void {
    this.table.flush();
  }
}
