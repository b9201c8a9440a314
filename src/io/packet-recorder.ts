// The capture stage's inner loop, shared by file and live sources: decode each frame once and write it to
// dataset/capture.pcap (the source of truth later stages re-read) and dataset/packets.csv.

import type { CaptureInterface, FrameBatch } from '../capture/frame-batch.js';
import { PcapWriter } from '../capture/pcap-writer.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { DecodeStatus, decodeStatusNames, PacketMeta } from '../decode/packet-meta.js';
import { FileSink } from './file-sink.js';
import { PacketCsvWriter } from './packet-csv-writer.js';

export interface RecorderOptions {
  /** packets.csv path, or undefined to skip it */
  csvPath?: string;
  /** capture copy path, or undefined to skip it */
  pcapPath?: string;
  /** classic pcap holds one link type; pcapng keeps every interface of a pcapng input */
  pcapFormat: 'pcap' | 'pcapng';
  /** write to a temporary name and rename on close (file input); live capture writes in place */
  atomic: boolean;
}

/** First example of each decode problem, so the summary can say where to look. */
export interface DecodeProblem {
  status: string;
  count: number;
  firstPacketNumber: number;
  firstDetail: string;
}

/** Counts that need no decoding: packets, bytes, snap-length cuts, first and last time. */
export class FrameTally {
  packets = 0;
  wireBytes = 0;
  capturedBytes = 0;
  /** frames the snap length cut short (captured < wire length): their payload columns come from declared lengths */
  cutBySnapLength = 0;
  firstTs = NaN;
  lastTs = NaN;

  add(batch: FrameBatch): void {
    for (let i = 0; i < batch.count; i++) {
      this.wireBytes += batch.wireLen[i];
      this.capturedBytes += batch.capLen[i];
      if (batch.capLen[i] < batch.wireLen[i]) this.cutBySnapLength++;
    }
    if (batch.count > 0) {
      const last = batch.count - 1;
      if (this.packets === 0) this.firstTs = batch.tsSec[0] + batch.tsNsec[0] / 1e9;
      this.lastTs = batch.tsSec[last] + batch.tsNsec[last] / 1e9;
    }
    this.packets += batch.count;
  }
}

export class PacketRecorder {
  readonly tally = new FrameTally();
  readonly statusCounts = new Float64Array(decodeStatusNames.length);
  private readonly firstProblem: { packetNumber: number; detail: string }[] = [];
  private readonly meta = new PacketMeta();
  private readonly csvSink: FileSink | undefined;
  private readonly csv: PacketCsvWriter | undefined;
  private readonly pcapSink: FileSink | undefined;
  private pcap: PcapWriter | undefined;
  private pcapng: PcapngWriter | undefined;
  private pcapngInterfaces = 0;
  private readonly options: RecorderOptions;

  constructor(options: RecorderOptions) {
    this.options = options;
    const sinks: FileSink[] = [];
    try {
      if (options.csvPath) {
        this.csvSink = new FileSink(options.csvPath, { atomic: options.atomic, background: true });
        sinks.push(this.csvSink);
        this.csv = new PacketCsvWriter(this.csvSink);
      }
      if (options.pcapPath) {
        this.pcapSink = new FileSink(options.pcapPath, { atomic: options.atomic, background: true });
        sinks.push(this.pcapSink);
      }
    } catch (err) {
      for (const s of sinks) s.abandon();
      throw err;
    }
  }

  /** Decodes and writes every frame of the batch; `interfaces` describes the source's link types. */
  record(batch: FrameBatch, interfaces: readonly CaptureInterface[]): void {
    const meta = this.meta;
    const csv = this.csv;
    const bytes = batch.bytes;
    if (this.pcapSink && !this.pcap && !this.pcapng) this.openPcap(interfaces);
    if (this.pcapng && this.pcapngInterfaces < interfaces.length) this.addPcapngInterfaces(interfaces);
    const pcap = this.pcap;
    const pcapng = this.pcapng;
    for (let i = 0; i < batch.count; i++) {
      const start = batch.start[i];
      const capLen = batch.capLen[i];
      const packetNumber = batch.firstPacketNumber + i;
      decodeFrame(bytes, start, start + capLen, batch.linkType[i], meta, batch.wireLen[i]);
      if (meta.status !== DecodeStatus.ok) this.noteProblem(packetNumber);
      if (csv) csv.writeRow(packetNumber, batch.tsSec[i], batch.tsNsec[i], batch.interfaceId[i], batch.wireLen[i], capLen, meta);
      if (pcap) pcap.writeFrame(bytes, start, capLen, batch.wireLen[i], batch.tsSec[i], batch.tsNsec[i]);
      else if (pcapng) pcapng.writeFrame(batch.interfaceId[i], bytes, start, capLen, batch.wireLen[i], batch.tsSec[i], batch.tsNsec[i]);
    }
    this.tally.add(batch);
  }

  /** Pushes buffered rows and frames to disk (live mode calls this every second so a crash loses little). */
  flush(): void {
    this.csvSink?.flush();
    this.pcapSink?.flush();
  }

  /** Backpressure: resolves when the disk has caught up enough to take the next batch. */
  async waitForRoom(): Promise<void> {
    await this.csvSink?.waitForRoom();
    await this.pcapSink?.waitForRoom();
  }

  async close(interfaces: readonly CaptureInterface[]): Promise<DecodeProblem[]> {
    // an input with no packets still gets a valid, empty capture file with its link type
    if (this.pcapSink && !this.pcap && !this.pcapng) this.openPcap(interfaces);
    await this.csvSink?.finish();
    await this.pcapSink?.finish();
    return this.problems();
  }

  abandon(): void {
    this.csvSink?.abandon();
    this.pcapSink?.abandon();
  }

  private problems(): DecodeProblem[] {
    const out: DecodeProblem[] = [];
    for (let s = 1; s < decodeStatusNames.length; s++) {
      const first = this.firstProblem[s];
      if (this.statusCounts[s] > 0 && first) {
        out.push({ status: decodeStatusNames[s], count: this.statusCounts[s], firstPacketNumber: first.packetNumber, firstDetail: first.detail });
      }
    }
    return out;
  }

  private noteProblem(packetNumber: number): void {
    const s = this.meta.status;
    this.statusCounts[s]++;
    if (!this.firstProblem[s]) this.firstProblem[s] = { packetNumber, detail: this.meta.statusDetail };
  }

  private openPcap(interfaces: readonly CaptureInterface[]): void {
    const sink = this.pcapSink!;
    if (this.options.pcapFormat === 'pcapng') {
      this.pcapng = new PcapngWriter(sink);
      this.addPcapngInterfaces(interfaces);
    } else {
      const first = interfaces[0];
      this.pcap = new PcapWriter(sink, first?.linkType ?? 1, first?.snapLen ?? 262144);
    }
  }

  private addPcapngInterfaces(interfaces: readonly CaptureInterface[]): void {
    for (; this.pcapngInterfaces < interfaces.length; this.pcapngInterfaces++) {
      const itf = interfaces[this.pcapngInterfaces];
      this.pcapng!.addInterface(itf.linkType, itf.snapLen, itf.name || undefined);
    }
  }
}
