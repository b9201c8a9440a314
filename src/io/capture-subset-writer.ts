// Copies chosen frames of a capture into a new capture file (`netml detect --export-pcap`), untouched:
// same bytes, captured and wire lengths, timestamps and link type, so Wireshark shows them as they were.
// The format follows the source, as `netml capture --read` does: a pcap stays pcap (nanosecond
// timestamps, which hold microsecond ones exactly), a pcapng stays pcapng with every interface of the
// source in the same order, so each frame keeps its interface (and link type) even when they differ.
// Written under a temporary name; the caller renames it (sink.close()) or drops it (sink.abandon()).

import type { CaptureFormat, CaptureInterface, FrameBatch } from '../capture/frame-batch.js';
import { PcapWriter } from '../capture/pcap-writer.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { FileSink } from './file-sink.js';

/** a pcap without any interface described (an empty input) says Ethernet, with tcpdump's snap length */
const DEFAULT_LINK_TYPE = 1;
const DEFAULT_SNAP_LEN = 262144;

export class CaptureSubsetWriter {
  readonly sink: FileSink;
  /** frames written */
  frames = 0;
  private readonly format: CaptureFormat;
  private pcap: PcapWriter | undefined;
  private pcapng: PcapngWriter | undefined;
  private pcapngInterfaces = 0;

  constructor(path: string, sourceFormat: CaptureFormat) {
    this.format = sourceFormat;
    this.sink = new FileSink(path, { atomic: true });
  }

  /** Copies frame `i` of the batch; `interfaces` are the source's, as known so far. */
  write(batch: FrameBatch, i: number, interfaces: readonly CaptureInterface[]): void {
    this.open(interfaces);
    const start = batch.start[i];
    if (this.pcapng) {
      this.pcapng.writeFrame(batch.interfaceId[i], batch.bytes, start, batch.capLen[i], batch.wireLen[i], batch.tsSec[i], batch.tsNsec[i]);
    } else {
      this.pcap!.writeFrame(batch.bytes, start, batch.capLen[i], batch.wireLen[i], batch.tsSec[i], batch.tsNsec[i]);
    }
    this.frames++;
  }

  /** Writes the file header if no frame did (an export with no frame is still a valid, empty capture). */
  end(interfaces: readonly CaptureInterface[]): void {
    this.open(interfaces);
  }

  /** Headers on first use, and pcapng interfaces the source described since. */
  private open(interfaces: readonly CaptureInterface[]): void {
    if (this.format === 'pcapng') {
      if (!this.pcapng) this.pcapng = new PcapngWriter(this.sink, { userAppl: 'netml detect --export-pcap' });
      for (; this.pcapngInterfaces < interfaces.length; this.pcapngInterfaces++) {
        const itf = interfaces[this.pcapngInterfaces];
        this.pcapng.addInterface(itf.linkType, itf.snapLen, itf.name || undefined);
      }
    } else if (!this.pcap) {
      const first = interfaces[0];
      this.pcap = new PcapWriter(this.sink, first?.linkType ?? DEFAULT_LINK_TYPE, first?.snapLen ?? DEFAULT_SNAP_LEN);
    }
  }
}
