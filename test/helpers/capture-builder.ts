// Builds pcap and pcapng files byte by byte, in either byte order, with knobs to corrupt any length
// field, so tests can make every damaged case they need without shipping third-party captures.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ByteOrder = 'le' | 'be';

/** Appends fixed-width integers in one byte order. */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  constructor(readonly order: ByteOrder) {}

  get offset(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
    return this;
  }
  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.len, v, this.order === 'le');
    this.len += 2;
    return this;
  }
  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.len, v >>> 0, this.order === 'le');
    this.len += 4;
    return this;
  }
  /** a 64-bit value as pcapng stores timestamps and if_tsoffset: two 32-bit halves, high first in the EPB */
  u64(v: bigint): this {
    this.room(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v), this.order === 'le');
    this.len += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  /** zero bytes up to the next multiple of 4 */
  pad4(): this {
    while (this.len % 4 !== 0) this.u8(0);
    return this;
  }
  /** overwrites a 32-bit value already written */
  patchU32(at: number, v: number): this {
    this.view.setUint32(at, v >>> 0, this.order === 'le');
    return this;
  }
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Deterministic frame contents: `length` bytes derived from `seed`. */
export function frameBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface BuiltCapture {
  bytes: Uint8Array;
  /** byte offset of each packet record (pcap) or of each packet block (pcapng) */
  packetOffsets: number[];
  /** byte offset of every block, SHB included (pcapng only) */
  blockOffsets: number[];
}

// ---------------------------------------------------------------- classic pcap

export interface PcapRecordSpec {
  data: Uint8Array;
  /** length on the wire; default data.length */
  wireLen?: number;
  tsSec: number;
  /** fraction of a second in the file's unit (µs, or ns with `nanosecond`) */
  tsFrac: number;
  /** corrupts the incl_len field (the data written stays `data`) */
  inclLen?: number;
}

export interface PcapSpec {
  byteOrder?: ByteOrder;
  nanosecond?: boolean;
  /** write the modified (ss990915/ss991029) magic a1b2cd34 */
  modifiedMagic?: boolean;
  versionMajor?: number;
  versionMinor?: number;
  snapLen?: number;
  /** the header's link type field as written (upper bits included) */
  linkType?: number;
  records: PcapRecordSpec[];
  /** bytes written after each record header, for the 1999 variants (ss990417: 8, nokia: 4) */
  extraRecordHeader?: Uint8Array;
}

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

export function buildPcap(spec: PcapSpec): BuiltCapture {
  const w = new ByteWriter(spec.byteOrder ?? 'le');
  w.u32(spec.modifiedMagic ? PCAP_MAGIC_MODIFIED : spec.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US);
  w.u16(spec.versionMajor ?? 2).u16(spec.versionMinor ?? 4);
  w.u32(0).u32(0);
  w.u32(spec.snapLen ?? 262144);
  w.u32(spec.linkType ?? 1);
  const packetOffsets: number[] = [];
  const swapped = (spec.versionMajor ?? 2) === 2 && (spec.versionMinor ?? 4) < 3;
  for (const r of spec.records) {
    packetOffsets.push(w.offset);
    const incl = r.inclLen ?? r.data.length;
    const orig = r.wireLen ?? r.data.length;
    w.u32(r.tsSec).u32(r.tsFrac);
    if (swapped) w.u32(orig).u32(incl);
    else w.u32(incl).u32(orig);
    if (spec.extraRecordHeader) w.bytes(spec.extraRecordHeader);
    w.bytes(r.data);
  }
  return { bytes: w.toBytes(), packetOffsets, blockOffsets: [] };
}

// ---------------------------------------------------------------- pcapng

interface BlockCorruption {
  /** written as the leading block total length instead of the true one */
  totalLength?: number;
  /** written as the trailing block total length instead of the true one */
  trailerLength?: number;
}

export type PcapngBlockSpec = BlockCorruption &
  (
    | { kind: 'idb'; linkType: number; snapLen?: number; name?: string; tsresol?: number; tsoffset?: bigint }
    /** timestamp in the interface's units */
    | { kind: 'epb'; interfaceId: number; data: Uint8Array; wireLen?: number; timestamp: bigint; capLen?: number }
    | { kind: 'pb'; interfaceId: number; data: Uint8Array; wireLen?: number; timestamp: bigint }
    | { kind: 'spb'; data: Uint8Array; wireLen?: number }
    | { kind: 'raw'; type: number; body: Uint8Array }
  );

export interface PcapngSectionSpec extends BlockCorruption {
  byteOrder?: ByteOrder;
  versionMajor?: number;
  blocks: PcapngBlockSpec[];
}

function option(w: ByteWriter, code: number, value: Uint8Array): void {
  w.u16(code).u16(value.length).bytes(value).pad4();
}

export function buildPcapng(sections: PcapngSectionSpec[]): BuiltCapture {
  const parts: Uint8Array[] = [];
  const packetOffsets: number[] = [];
  const blockOffsets: number[] = [];
  let offset = 0;
  const emit = (order: ByteOrder, type: number, body: (w: ByteWriter) => void, corrupt: BlockCorruption, isPacket: boolean) => {
    const w = new ByteWriter(order);
    w.u32(type).u32(0);
    body(w);
    w.pad4();
    const length = w.offset + 4;
    w.patchU32(4, corrupt.totalLength ?? length);
    w.u32(corrupt.trailerLength ?? length);
    const bytes = w.toBytes();
    blockOffsets.push(offset);
    if (isPacket) packetOffsets.push(offset);
    parts.push(bytes);
    offset += bytes.length;
  };
  for (const section of sections) {
    const order = section.byteOrder ?? 'le';
    emit(
      order,
      0x0a0d0d0a,
      (w) => {
        w.u32(0x1a2b3c4d).u16(section.versionMajor ?? 1).u16(0).u64(-1n);
      },
      section,
      false,
    );
    for (const b of section.blocks) {
      switch (b.kind) {
        case 'idb':
          emit(
            order,
            1,
            (w) => {
              w.u16(b.linkType).u16(0).u32(b.snapLen ?? 0);
              const hasOptions = b.name !== undefined || b.tsresol !== undefined || b.tsoffset !== undefined;
              if (b.name !== undefined) option(w, 2, new TextEncoder().encode(b.name));
              if (b.tsresol !== undefined) option(w, 9, Uint8Array.of(b.tsresol));
              if (b.tsoffset !== undefined) option(w, 14, new ByteWriter(order).u64(b.tsoffset).toBytes());
              if (hasOptions) w.u32(0);
            },
            b,
            false,
          );
          break;
        case 'epb':
        case 'pb':
          emit(
            order,
            b.kind === 'epb' ? 6 : 2,
            (w) => {
              if (b.kind === 'epb') w.u32(b.interfaceId);
              else w.u16(b.interfaceId).u16(0);
              w.u32(Number(b.timestamp >> 32n)).u32(Number(b.timestamp & 0xffffffffn));
              w.u32(b.kind === 'epb' ? (b.capLen ?? b.data.length) : b.data.length).u32(b.wireLen ?? b.data.length);
              w.bytes(b.data);
            },
            b,
            true,
          );
          break;
        case 'spb':
          emit(
            order,
            3,
            (w) => {
              w.u32(b.wireLen ?? b.data.length).bytes(b.data);
            },
            b,
            true,
          );
          break;
        case 'raw':
          emit(order, b.type, (w) => w.bytes(b.body), b, false);
          break;
      }
    }
  }
  const bytes = new Uint8Array(offset);
  let p = 0;
  for (const part of parts) {
    bytes.set(part, p);
    p += part.length;
  }
  return { bytes, packetOffsets, blockOffsets };
}

// ---------------------------------------------------------------- files

/** A temporary directory for one test file; `cleanup()` removes it. */
export function tempDir(prefix = 'netml-capture-'): { dir: string; write(name: string, bytes: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name: string, bytes: Uint8Array): string {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
    cleanup(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- reading back

export interface ReadFrame {
  data: Uint8Array;
  capLen: number;
  wireLen: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  interfaceId: number;
  packetNumber: number;
}

/** Reads a whole capture with netml's reader, copying each frame out of the reused batch buffers. */
export async function readCapture(
  path: string,
  options?: { chunkBytes?: number; batchCapacity?: number },
): Promise<{ frames: ReadFrame[]; reader: import('../../src/capture/capture-file.js').CaptureFileReader }> {
  const { openCaptureFile } = await import('../../src/capture/capture-file.js');
  const reader = await openCaptureFile(path, options);
  const frames: ReadFrame[] = [];
  for await (const b of reader.batches()) {
    for (let i = 0; i < b.count; i++) {
      frames.push({
        data: new Uint8Array(b.bytes.subarray(b.start[i], b.start[i] + b.capLen[i])),
        capLen: b.capLen[i],
        wireLen: b.wireLen[i],
        tsSec: b.tsSec[i],
        tsNsec: b.tsNsec[i],
        linkType: b.linkType[i],
        interfaceId: b.interfaceId[i],
        packetNumber: b.firstPacketNumber + i,
      });
    }
  }
  return { frames, reader };
}
