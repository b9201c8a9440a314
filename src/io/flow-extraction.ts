// The extract stage's inner loop, apart from the CLI so tests and benchmarks drive it with any batches:
// decode each frame once into the reused PacketMeta and hand it to the level's meter (the flow table, the
// host windows), which writes rows through the row sink as they complete. One meter serves every input
// file, so a flow that spans two consecutive captures stays one flow. Packets read back from packets.csv
// arrive already decoded (addPacket) and take the same path from there.

import type { FrameBatch } from '../capture/frame-batch.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { decodeStatusNames, PacketMeta } from '../decode/packet-meta.js';
import type { CellFormat, FlowFeatureGroup, FlowRowLayout } from '../features/feature-group.js';
import { FlowFeatureSet, flowBytesPerSlot, flowGroups, type RowSink } from '../features/flow-feature-set.js';
import { chooseFlowGroups, type FlowGroupChoice } from '../features/flow-group-choice.js';
import { FlowLabelGroup, type LabelRule } from '../features/flow-labels.js';
import { HostWindows, hostBytesPerSlot } from '../features/host-windows.js';
import { PacketFeatures, packetBytesPerSource } from '../features/packet-features.js';
import { DEFAULT_ACTIVE_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S, endReasonNames, FlowTable, flowTableBytesPerFlow } from '../flow/flow-table.js';
import { CIC_SCHEMA_VERSION } from '../schema/cic-columns.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { FLOWS_SCHEMA_VERSION } from '../schema/flow-columns.js';
import { DEFAULT_HOST_WINDOWS_S, HOSTS_SCHEMA_VERSION } from '../schema/host-columns.js';
import { PACKET_FEATURES_SCHEMA_VERSION } from '../schema/packet-feature-columns.js';
import type { ColumnSpec } from '../schema/packet-columns.js';
import { FlowCsvWriter, type ByteSink } from './flow-csv-writer.js';

/**
 * Memory the flow table and its features may take by default (--max-flows = this / bytes per slot). The
 * rest of extract's peak (Node itself ~40 MB, the capture reader ~20 MB, the flow feature and CSV writer
 * threads ~25 MB each with their rings and buffers) measured ~110-120 MB, so the process stays below 256 MB
 * even when every slot is full: the SYN flood bench peaks at 225 MiB, 238 MiB with --format cic.
 */
export const DEFAULT_FLOW_MEMORY_BYTES = 120 * 1024 * 1024;
/** The host level's budget: its per-host windows, distinct counters and table (--max-hosts from it). */
export const DEFAULT_HOST_MEMORY_BYTES = 64 * 1024 * 1024;
/** The packet level keeps a flow table without feature groups (direction, position in the flow) ... */
export const DEFAULT_PACKET_FLOW_MEMORY_BYTES = 64 * 1024 * 1024;
/** ... and per-source sliding windows. */
export const DEFAULT_SOURCE_MEMORY_BYTES = 32 * 1024 * 1024;

export function defaultMaxFlows(groupsFor: (table: FlowSlots) => FlowFeatureGroup[] = flowGroups): number {
  return Math.floor(DEFAULT_FLOW_MEMORY_BYTES / flowBytesPerSlot(groupsFor));
}

export function defaultMaxHosts(windows: number = DEFAULT_HOST_WINDOWS_S.length): number {
  return Math.floor(DEFAULT_HOST_MEMORY_BYTES / hostBytesPerSlot(windows));
}

export function defaultPacketLevelMaxFlows(): number {
  return Math.floor(DEFAULT_PACKET_FLOW_MEMORY_BYTES / flowTableBytesPerFlow());
}


export function defaultMaxSources(): number {
  return Math.floor(DEFAULT_SOURCE_MEMORY_BYTES / packetBytesPerSource());
}

export type ExtractLevel = 'flow' | 'host' | 'packet';

/** What every level counts, for the summary. */
export interface MeterCounts {
  ipPackets: number;
  nonIpPackets: number;
  timeBackwardsPackets: number;
  rowsWritten: number;
}

/** One level of extract: a meter fed packet by packet, and the rows it writes. */
/** What makes a level's rows: flow features, host windows or packet features. */
interface RowProducer {
  readonly columns: readonly ColumnSpec[];
  readonly formats: readonly CellFormat[];
  readonly layout: FlowRowLayout;
  attach(rows: RowSink): void;
}

export abstract class Extraction {
  abstract readonly level: ExtractLevel;
  abstract readonly schemaVersion: string;
  /** the level's row producer; columns, formats, layout and attach() are its own */
  protected abstract readonly producer: RowProducer;
  /** frames read, IP or not */
  packets = 0;
  wireBytes = 0;
  readonly statusCounts = new Float64Array(decodeStatusNames.length);
  protected readonly meta = new PacketMeta();

  get columns(): readonly ColumnSpec[] {
    return this.producer.columns;
  }

  get formats(): readonly CellFormat[] {
    return this.producer.formats;
  }

  get layout(): FlowRowLayout {
    return this.producer.layout;
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** Sends the rows to `rows` (e.g. the ring of a writer thread) before the first packet. */
  attach(rows: RowSink): void {
    this.producer.attach(rows);
  }

  /** Formats the rows as CSV on this thread into `sink` (header first); returns the writer. */
  writeCsvTo(sink: ByteSink): FlowCsvWriter {
    const writer = new FlowCsvWriter(sink, this.columnNames, this.formats, this.layout.textBytes);
    this.attach(writer);
    return writer;
  }

  /** Decodes and meters every frame of the batch; rows that complete are written on the way. */
  addBatch(batch: FrameBatch): void {
    const meta = this.meta;
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
      this.meter(meta, batch.tsSec[i], batch.tsNsec[i], wireLen);
    }
    this.packets += n;
    this.wireBytes += wire;
  }

  /** Meters one packet that is decoded already (read back from packets.csv). */
  addPacket(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    this.statusCounts[meta.status]++;
    this.packets++;
    this.wireBytes += wireLen;
    this.meter(meta, tsSec, tsNsec, wireLen);
  }

  /** Writes what is still open (end of input), at most `limit` units per call; true when nothing is left. */
  abstract flush(limit?: number): boolean;

  /** Ends everything still open and writes its rows. */
  finish(): void {
    this.flush();
  }

  abstract get counts(): MeterCounts;
  /** how many units (flows, hosts) are held now and ended so far, for the progress line */
  abstract progress(): string;
  /** Rows per class with --labels; undefined without. */
  abstract labelCounts(): Record<string, number> | undefined;

  protected abstract meter(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void;
}

export interface FlowExtractionOptions extends FlowGroupChoice {
  idleTimeoutS?: number;
  activeTimeoutS?: number;
  maxFlows?: number;
}

/** --level flow: one row per flow record. */
export class FlowExtraction extends Extraction {
  readonly level = 'flow';
  readonly schemaVersion: string;
  readonly table: FlowTable;
  readonly features: FlowFeatureSet;
  /** rules were given (--format cic always has its Label column, but counts classes only with rules) */
  private readonly labelled: boolean;

  constructor(options: FlowExtractionOptions = {}) {
    super();
    this.labelled = options.rules !== undefined || options.groups !== undefined;
    const { groupsFor, textBytes } = chooseFlowGroups(options);
    this.schemaVersion = options.format === 'cic' ? CIC_SCHEMA_VERSION : FLOWS_SCHEMA_VERSION;
    this.table = new FlowTable({
      idleTimeoutS: options.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S,
      activeTimeoutS: options.activeTimeoutS ?? DEFAULT_ACTIVE_TIMEOUT_S,
      maxFlows: options.maxFlows ?? defaultMaxFlows(groupsFor),
    });
    this.features = new FlowFeatureSet(groupsFor(this.table), textBytes);
    this.table.attach(this.features);
  }

  protected get producer(): RowProducer {
    return this.features;
  }

  protected meter(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    this.table.process(meta, tsSec, tsNsec, wireLen);
  }

  /** The hot loop with the flow table called directly (no virtual meter() per packet). */
  override addBatch(batch: FrameBatch): void {
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

  flush(limit = Infinity): boolean {
    return this.table.flush(limit);
  }

  get counts(): MeterCounts {
    const t = this.table;
    return { ipPackets: t.ipPackets, nonIpPackets: t.nonIpPackets, timeBackwardsPackets: t.timeBackwardsPackets, rowsWritten: this.features.rowsWritten };
  }

  progress(): string {
    return `flows: ${this.table.size} open, ${this.table.recordsEnded} ended`;
  }

  labelCounts(): Record<string, number> | undefined {
    return this.labelled ? this.features.find(FlowLabelGroup)?.countsByClass() : undefined;
  }

  /** Flow records ended per end reason. */
  flowsByEndReason(): Record<string, number> {
    const out: Record<string, number> = {};
    endReasonNames.forEach((name, i) => (out[name] = this.table.endedBy[i]));
    return out;
  }
}

export interface HostExtractionOptions {
  windowsS?: readonly number[];
  maxHosts?: number;
  rules?: readonly LabelRule[];
}

/** --level host: one row per (source address, window size, window start). */
export class HostExtraction extends Extraction {
  readonly level = 'host';
  readonly schemaVersion = HOSTS_SCHEMA_VERSION;
  readonly hosts: HostWindows;

  constructor(options: HostExtractionOptions = {}) {
    super();
    const windowsS = options.windowsS ?? DEFAULT_HOST_WINDOWS_S;
    this.hosts = new HostWindows({ windowsS, maxHosts: options.maxHosts ?? defaultMaxHosts(windowsS.length), rules: options.rules });
  }

  protected get producer(): RowProducer {
    return this.hosts;
  }

  protected meter(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    this.hosts.process(meta, tsSec, tsNsec, wireLen);
  }

  flush(limit = Infinity): boolean {
    return this.hosts.flush(limit);
  }

  get counts(): MeterCounts {
    const h = this.hosts;
    return { ipPackets: h.ipPackets, nonIpPackets: h.nonIpPackets, timeBackwardsPackets: h.timeBackwardsPackets, rowsWritten: h.rowsWritten };
  }

  progress(): string {
    return `hosts: ${this.hosts.table.size} held, ${this.hosts.rowsWritten} rows`;
  }

  labelCounts(): Record<string, number> | undefined {
    return this.hosts.labelled ? this.hosts.countsByClass() : undefined;
  }
}

export interface PacketExtractionOptions {
  idleTimeoutS?: number;
  activeTimeoutS?: number;
  maxFlows?: number;
  maxSources?: number;
  rules?: readonly LabelRule[];
}

/** --level packet: one row per IP packet, with its flow's view and its source's recent activity. */
export class PacketExtraction extends Extraction {
  readonly level = 'packet';
  readonly schemaVersion = PACKET_FEATURES_SCHEMA_VERSION;
  readonly table: FlowTable;
  readonly features: PacketFeatures;

  constructor(options: PacketExtractionOptions = {}) {
    super();
    this.table = new FlowTable({
      idleTimeoutS: options.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S,
      activeTimeoutS: options.activeTimeoutS ?? DEFAULT_ACTIVE_TIMEOUT_S,
      maxFlows: options.maxFlows ?? defaultPacketLevelMaxFlows(),
    });
    this.features = new PacketFeatures(this.table, { maxSources: options.maxSources ?? defaultMaxSources(), rules: options.rules });
    this.table.attach(this.features);
  }

  protected get producer(): RowProducer {
    return this.features;
  }

  /** addPacket counted the packet already, so its number is the count. */
  protected meter(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    const f = this.features;
    f.packetNumber = this.packets;
    f.tsSec = tsSec;
    f.tsNsec = tsNsec;
    this.table.process(meta, tsSec, tsNsec, wireLen);
  }

  /** The packet number is the frame's position in the input; the row takes the frame's own time. */
  override addBatch(batch: FrameBatch): void {
    const meta = this.meta;
    const bytes = batch.bytes;
    const statusCounts = this.statusCounts;
    const features = this.features;
    const table = this.table;
    const n = batch.count;
    const first = this.packets + 1;
    let wire = 0;
    for (let i = 0; i < n; i++) {
      const start = batch.start[i];
      decodeFrame(bytes, start, start + batch.capLen[i], batch.linkType[i], meta);
      statusCounts[meta.status]++;
      const wireLen = batch.wireLen[i];
      wire += wireLen;
      const tsSec = batch.tsSec[i];
      const tsNsec = batch.tsNsec[i];
      features.packetNumber = first + i;
      features.tsSec = tsSec;
      features.tsNsec = tsNsec;
      table.process(meta, tsSec, tsNsec, wireLen);
    }
    this.packets += n;
    this.wireBytes += wire;
  }

  /** Rows were written per packet; ending the open flows writes nothing. */
  flush(): boolean {
    this.table.flush();
    return true;
  }

  get counts(): MeterCounts {
    const t = this.table;
    return { ipPackets: t.ipPackets, nonIpPackets: t.nonIpPackets, timeBackwardsPackets: t.timeBackwardsPackets, rowsWritten: this.features.rowsWritten };
  }

  progress(): string {
    return `flows: ${this.table.size} open; sources: ${this.features.sources.size} held`;
  }

  labelCounts(): Record<string, number> | undefined {
    return this.features.labelled ? this.features.countsByClass() : undefined;
  }
}
