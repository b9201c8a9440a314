// Writes classic pcap with nanosecond timestamps (magic a1b23c4d, little endian), the format netml
// capture leaves in dataset/capture.pcap. Frames go straight into the sink's buffer: no allocation per frame.

import type { FileSink } from '../io/file-sink.js';

const PCAP_NS_MAGIC = 0xa1b23c4d;
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export class PcapWriter {
  private readonly sink: FileSink;
  private readonly copier = new FrameCopier();

  constructor(sink: FileSink, linkType: number, snapLen: number) {
    this.sink = sink;
    sink.ensure(FILE_HEADER_BYTES);
    const buf = sink.buf;
    const p = sink.pos;
    buf.writeUInt32LE(PCAP_NS_MAGIC, p);
    buf.writeUInt16LE(2, p + 4); // version 2.4
    buf.writeUInt16LE(4, p + 6);
    buf.writeInt32LE(0, p + 8); // thiszone
    buf.writeUInt32LE(0, p + 12); // sigfigs
    buf.writeUInt32LE(snapLen >>> 0, p + 16);
    buf.writeUInt32LE(linkType >>> 0, p + 20);
    sink.pos = p + FILE_HEADER_BYTES;
  }

  /** tsSec must fit the format's unsigned 32 bits (until 2106); tsNsec is 0..999999999. */
  writeFrame(bytes: Uint8Array, start: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number): void {
    if (!(tsSec >= 0 && tsSec <= 0xffffffff)) throw new RangeError(`pcap timestamps hold 0..4294967295 seconds, got ${tsSec}`);
    if (!(tsNsec >= 0 && tsNsec < 1e9)) throw new RangeError(`tsNsec must be 0..999999999, got ${tsNsec}`);
    const sink = this.sink;
    sink.ensure(RECORD_HEADER_BYTES + capLen);
    const buf = sink.buf;
    const p = sink.pos;
    buf.writeUInt32LE(tsSec, p);
    buf.writeUInt32LE(tsNsec, p + 4);
    buf.writeUInt32LE(capLen, p + 8);
    buf.writeUInt32LE(wireLen, p + 12);
    this.copier.copy(bytes, start, capLen, buf, p + RECORD_HEADER_BYTES);
    sink.pos = p + RECORD_HEADER_BYTES + capLen;
  }
}

/**
 * Copies frame bytes with Buffer#copy, which unlike Uint8Array#set needs no subarray per call; a plain
 * Uint8Array source gets a Buffer view once, reused while the caller keeps passing the same array
 * (a FrameBatch's bytes, for instance).
 */
export class FrameCopier {
  private lastSource: Uint8Array | undefined;
  private lastView: Buffer | undefined;

  copy(source: Uint8Array, start: number, length: number, target: Buffer, targetStart: number): void {
    let from: Buffer;
    if (Buffer.isBuffer(source)) from = source;
    else if (source === this.lastSource) from = this.lastView!;
    else {
      from = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      this.lastSource = source;
      this.lastView = from;
    }
    if (start < 0 || start + length > from.length) throw new RangeError(`frame bytes ${start}..${start + length} lie outside a ${from.length}-byte buffer`);
    from.copy(target, targetStart, start, start + length);
  }
}
