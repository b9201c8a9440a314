// Writes pcapng: one little-endian section, an interface description per addInterface() with nanosecond
// timestamps (if_tsresol = 9), and an Enhanced Packet Block per frame, straight into the sink's buffer.

import type { FileSink } from '../io/file-sink.js';
import { FrameCopier } from './pcap-writer.js';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_COMMENT = 1;
const OPT_SHB_HARDWARE = 2;
const OPT_SHB_OS = 3;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const EPB_FIXED_BYTES = 32;

export interface PcapngSectionOptions {
  comment?: string;
  hardware?: string;
  os?: string;
  /** the application that wrote the file, e.g. "netml 0.1.0" */
  userAppl?: string;
}

export class PcapngWriter {
  private readonly sink: FileSink;
  private readonly copier = new FrameCopier();
  private interfaceCount = 0;

  constructor(sink: FileSink, shbOptions: PcapngSectionOptions = {}) {
    this.sink = sink;
    const options: [number, Buffer][] = [];
    if (shbOptions.comment) options.push([OPT_COMMENT, Buffer.from(shbOptions.comment, 'utf8')]);
    if (shbOptions.hardware) options.push([OPT_SHB_HARDWARE, Buffer.from(shbOptions.hardware, 'utf8')]);
    if (shbOptions.os) options.push([OPT_SHB_OS, Buffer.from(shbOptions.os, 'utf8')]);
    if (shbOptions.userAppl) options.push([OPT_SHB_USERAPPL, Buffer.from(shbOptions.userAppl, 'utf8')]);
    const length = 28 + optionsBytes(options);
    sink.ensure(length);
    const buf = sink.buf;
    let p = sink.pos;
    buf.writeUInt32LE(BLOCK_SHB, p);
    buf.writeUInt32LE(length, p + 4);
    buf.writeUInt32LE(BYTE_ORDER_MAGIC, p + 8);
    buf.writeUInt16LE(1, p + 12); // version 1.0
    buf.writeUInt16LE(0, p + 14);
    buf.writeInt32LE(-1, p + 16); // section length unknown (64-bit -1)
    buf.writeInt32LE(-1, p + 20);
    p = writeOptions(buf, p + 24, options);
    buf.writeUInt32LE(length, p);
    sink.pos = p + 4;
  }

  /** Adds an interface with nanosecond timestamps; returns its id for writeFrame. */
  addInterface(linkType: number, snapLen: number, name?: string): number {
    const options: [number, Buffer][] = [];
    if (name) options.push([OPT_IF_NAME, Buffer.from(name, 'utf8')]);
    options.push([OPT_IF_TSRESOL, Buffer.from([9])]);
    const length = 20 + optionsBytes(options);
    const sink = this.sink;
    sink.ensure(length);
    const buf = sink.buf;
    let p = sink.pos;
    buf.writeUInt32LE(BLOCK_IDB, p);
    buf.writeUInt32LE(length, p + 4);
    buf.writeUInt16LE(linkType & 0xffff, p + 8);
    buf.writeUInt16LE(0, p + 10);
    buf.writeUInt32LE(snapLen >>> 0, p + 12);
    p = writeOptions(buf, p + 16, options);
    buf.writeUInt32LE(length, p);
    sink.pos = p + 4;
    return this.interfaceCount++;
  }

  writeFrame(interfaceId: number, bytes: Uint8Array, start: number, capLen: number, wireLen: number, tsSec: number, tsNsec: number): void {
    if (!(interfaceId >= 0 && interfaceId < this.interfaceCount)) throw new RangeError(`interface ${interfaceId} was not added (have ${this.interfaceCount})`);
    if (!(tsSec >= 0 && tsSec < 2 ** 34)) throw new RangeError(`tsSec must be 0..2^34, got ${tsSec}`);
    if (!(tsNsec >= 0 && tsNsec < 1e9)) throw new RangeError(`tsNsec must be 0..999999999, got ${tsNsec}`);
    const padded = (capLen + 3) & ~3;
    const length = EPB_FIXED_BYTES + padded;
    const sink = this.sink;
    sink.ensure(length);
    const buf = sink.buf;
    const p = sink.pos;
    // tsSec * 1e9 + tsNsec exceeds 2^53: split tsSec in 16-bit halves so every step is exact
    const secLow = tsSec % 65536;
    const highNs = ((tsSec - secLow) / 65536) * 1e9; // < 2^38 * 1e9 / 2^16 < 2^53
    const highNsLow = highNs % 65536;
    const y = highNsLow * 65536 + secLow * 1e9 + tsNsec; // < 2^53
    const tsLow = y % 4294967296;
    const tsHigh = (highNs - highNsLow) / 65536 + (y - tsLow) / 4294967296;
    buf.writeUInt32LE(BLOCK_EPB, p);
    buf.writeUInt32LE(length, p + 4);
    buf.writeUInt32LE(interfaceId, p + 8);
    buf.writeUInt32LE(tsHigh, p + 12);
    buf.writeUInt32LE(tsLow, p + 16);
    buf.writeUInt32LE(capLen, p + 20);
    buf.writeUInt32LE(wireLen, p + 24);
    this.copier.copy(bytes, start, capLen, buf, p + 28);
    buf.fill(0, p + 28 + capLen, p + 28 + padded);
    buf.writeUInt32LE(length, p + 28 + padded);
    sink.pos = p + length;
  }
}

function optionsBytes(options: [number, Buffer][]): number {
  if (options.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const [, value] of options) n += 4 + ((value.length + 3) & ~3);
  return n;
}

function writeOptions(buf: Buffer, p: number, options: [number, Buffer][]): number {
  if (options.length === 0) return p;
  for (const [code, value] of options) {
    buf.writeUInt16LE(code, p);
    buf.writeUInt16LE(value.length, p + 2);
    value.copy(buf, p + 4);
    const padded = (value.length + 3) & ~3;
    buf.fill(0, p + 4 + value.length, p + 4 + padded);
    p += 4 + padded;
  }
  buf.writeUInt32LE(0, p); // opt_endofopt
  return p + 4;
}
