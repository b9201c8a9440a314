// pcapng (Wireshark, dumpcap, tcpdump --pcapng): sections, interfaces and packet blocks, parsed in place
// out of the reader's chunk buffer into a FrameBatch. Block layouts and option codes from
// draft-ietf-opsawg-pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
// A damaged block that still has a sound length and trailer is skipped with a warning; damage to the
// framing itself stops reading, as every later offset would be a guess.

import type { RecordParser, WarningSink } from './capture-file.js';
import type { CaptureInterface, FrameBatch } from './frame-batch.js';
import { CaptureFormatError } from '../errors.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB = 0x00000002; // obsolete Packet Block
export const BLOCK_SPB = 0x00000003;
export const BLOCK_NRB = 0x00000004;
export const BLOCK_ISB = 0x00000005;
export const BLOCK_EPB = 0x00000006;
const BLOCK_SYSTEMD_JOURNAL = 0x00000009;
const BLOCK_DSB = 0x0000000a;
const BLOCK_CUSTOM_COPY = 0x00000bad;
const BLOCK_CUSTOM_NO_COPY = 0x40000bad;

/** Blocks that carry no packets and that netml skips without comment. */
const KNOWN_NON_PACKET_BLOCKS: ReadonlySet<number> = new Set([
  BLOCK_NRB,
  BLOCK_ISB,
  BLOCK_SYSTEMD_JOURNAL,
  BLOCK_DSB,
  BLOCK_CUSTOM_COPY,
  BLOCK_CUSTOM_NO_COPY,
  0x00000204, // Sysdig event blocks
  0x00000208,
  0x00000205,
  0x00000206,
  0x00000207,
  0x00000209,
  0x00000210,
  0x00000211,
  0x00000212,
  0x00000213,
  0x00000214,
  0x80000001, // Darwin process event
]);

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** Smallest total length of each block type: header, fixed fields, trailer. */
const MIN_BLOCK_BYTES = 12;
const MIN_SHB_BYTES = 28;
const MIN_IDB_BYTES = 20;
const MIN_EPB_BYTES = 32;
const MIN_SPB_BYTES = 16;
const MIN_PB_BYTES = 32;

const OPT_ENDOFOPT = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Timestamp units per second below which the split-double path below is exact (see toSecNsec). */
const FAST_UNITS_LIMIT = 2 ** 23;
const TWO_32 = 4294967296;
const UTF8 = new TextDecoder();

// How one interface's 64-bit timestamps become seconds + nanoseconds:
/** 10^k units per second, k <= 9: nanoseconds are the remainder times 10^(9-k) */
const TS_DECIMAL = 0;
/** fewer than 2^23 units per second: remainder * 1e9 / units stays exact in a double */
const TS_SMALL = 1;
/** anything finer (picoseconds, 2^-30 s...): BigInt, rare enough to stay off the hot path */
const TS_BIG = 2;
type TsMode = typeof TS_DECIMAL | typeof TS_SMALL | typeof TS_BIG;

/**
 * Checks the first Section Header Block enough to start reading: byte-order magic, version, length.
 * Throws CaptureFormatError; the block itself is parsed again by the record parser.
 */
export function checkFirstSectionHeader(path: string, bytes: Uint8Array, available: number, fileSizeBytes: number | undefined): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hint = 'the capture was cut short or is not really pcapng; `capinfos FILE` shows what Wireshark makes of it';
  if (available < MIN_SHB_BYTES) {
    throw new CaptureFormatError(path, available, `the pcapng section header needs at least ${MIN_SHB_BYTES} bytes but the file has only ${available}`, hint);
  }
  const bom = view.getUint32(8, true);
  if (bom !== BYTE_ORDER_MAGIC && bom !== BYTE_ORDER_MAGIC_SWAPPED) {
    throw new CaptureFormatError(
      path,
      8,
      `the pcapng byte-order magic is 0x${hex32(view.getUint32(8, false))}, expected 1a2b3c4d or 4d3c2b1a`,
      'the file starts like pcapng but is damaged; `capinfos FILE` shows what Wireshark makes of it',
    );
  }
  const le = bom === BYTE_ORDER_MAGIC;
  const length = view.getUint32(4, le);
  const major = view.getUint16(12, le);
  const minor = view.getUint16(14, le);
  if (length < MIN_SHB_BYTES || length % 4 !== 0) {
    throw new CaptureFormatError(path, 4, `the pcapng section header declares a length of ${length} bytes; it must be a multiple of 4 and at least ${MIN_SHB_BYTES}`, hint);
  }
  if (fileSizeBytes !== undefined && length > fileSizeBytes) {
    throw new CaptureFormatError(path, 4, `the pcapng section header declares ${length} bytes but the file has only ${fileSizeBytes}`, hint);
  }
  if (major !== 1) {
    throw new CaptureFormatError(path, 12, `pcapng version ${major}.${minor} is not supported (1.x is)`, 'convert it with `editcap -F pcapng IN OUT` if Wireshark can read it');
  }
}

export class PcapngRecordParser implements RecordParser {
  readonly interfaces: CaptureInterface[] = [];
  status: 'needMore' | 'batchFull' | 'stop' = 'needMore';
  needBytes = 0;

  /** byte order of the current section */
  private le = true;
  /** global id of the current section's interface 0 */
  private sectionBase = 0;
  private sectionInterfaces = 0;
  private sectionNumber = 0;

  // per global interface id, parallel arrays
  private readonly ifLinkType: number[] = [];
  private readonly ifSnapLen: number[] = [];
  private readonly ifTsMode: TsMode[] = [];
  private readonly ifUnits: number[] = [];
  private readonly ifUnitsBig: bigint[] = [];
  private readonly ifNsPerUnit: number[] = [];
  private readonly ifOffsetSec: number[] = [];

  // timestamp scratch, written by toSecNsec (avoids returning an object per packet)
  private tsSec = 0;
  private tsNsec = 0;

  private readonly warnedBlockTypes = new Set<number>();
  private overSnapLen = 0;
  private overSnapLenWarning: { message: string } | undefined;
  private readonly warn: WarningSink;
  private readonly maxRecordBytes: number;

  constructor(warn: WarningSink, maxRecordBytes: number) {
    this.warn = warn;
    this.maxRecordBytes = maxRecordBytes;
  }

  parse(bytes: Uint8Array, view: DataView, pos: number, end: number, bufferFileOffset: number, batch: FrameBatch): number {
    const capacity = batch.start.length;
    let n = batch.count;
    for (;;) {
      if (n >= capacity) {
        this.status = 'batchFull';
        break;
      }
      const avail = end - pos;
      if (avail < MIN_BLOCK_BYTES) {
        this.status = 'needMore';
        this.needBytes = MIN_BLOCK_BYTES;
        break;
      }
      let le = this.le;
      const type = view.getUint32(pos, le);
      const offset = bufferFileOffset + pos;
      const packetNumber = batch.firstPacketNumber + n;
      if (type === BLOCK_SHB) {
        // the block type reads the same in both orders; the section's own magic says which it is
        const bom = view.getUint32(pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
        else {
          this.warn.warn(
            offset + 8,
            packetNumber,
            `a pcapng section header has byte-order magic 0x${hex32(view.getUint32(pos + 8, false))} instead of 1a2b3c4d: the file is corrupt from here on, reading stopped`,
          );
          this.status = 'stop';
          break;
        }
      }
      const length = view.getUint32(pos + 4, le);
      if (length < MIN_BLOCK_BYTES || length % 4 !== 0 || length > this.maxRecordBytes) {
        const why =
          length < MIN_BLOCK_BYTES
            ? `less than the ${MIN_BLOCK_BYTES}-byte minimum of any block`
            : length % 4 !== 0
              ? 'not a multiple of 4'
              : `more than netml's bound of ${this.maxRecordBytes} bytes per block`;
        this.warn.warn(offset + 4, packetNumber, `a pcapng block of type 0x${hex32(type)} declares a total length of ${length} bytes, ${why}: the file is corrupt from here on, reading stopped`);
        this.status = 'stop';
        break;
      }
      if (avail < length) {
        this.status = 'needMore';
        this.needBytes = length;
        break;
      }
      const trailer = view.getUint32(pos + length - 4, le);
      if (trailer !== length) {
        this.warn.warn(
          offset + length - 4,
          packetNumber,
          `a pcapng block of type 0x${hex32(type)} at byte ${offset} declares ${length} bytes at its start but ${trailer} at its end: the file is corrupt from here on, reading stopped`,
        );
        this.status = 'stop';
        break;
      }
      if (type === BLOCK_EPB || type === BLOCK_PB) {
        if (this.packetBlock(view, pos, length, type, offset, packetNumber, batch, n)) n++;
      } else if (type === BLOCK_SPB) {
        if (this.simplePacketBlock(view, pos, length, offset, packetNumber, batch, n)) n++;
      } else if (type === BLOCK_IDB) {
        this.interfaceBlock(bytes, view, pos, length, offset, packetNumber);
      } else if (type === BLOCK_SHB) {
        if (!this.sectionHeader(view, pos, length, le, offset, packetNumber)) {
          this.status = 'stop';
          break;
        }
      } else if (!KNOWN_NON_PACKET_BLOCKS.has(type) && !this.warnedBlockTypes.has(type)) {
        this.warnedBlockTypes.add(type);
        this.warn.warn(offset, packetNumber, `unknown pcapng block type 0x${hex32(type)} (${length} bytes) skipped by its length (later blocks of this type are not reported)`);
      }
      pos += length;
    }
    batch.count = n;
    return pos;
  }

  truncated(view: DataView, pos: number, bufferFileOffset: number, packetNumber: number, availableBytes: number): void {
    const offset = bufferFileOffset + pos;
    if (availableBytes < 8) {
      this.warn.warn(offset, packetNumber, `the file ends inside a pcapng block header: ${availableBytes} of its 8 bytes are present (the capture was cut short); the partial block was dropped`);
      return;
    }
    let le = this.le;
    const type = view.getUint32(pos, le);
    if (type === BLOCK_SHB && availableBytes >= 12) le = view.getUint32(pos + 8, true) === BYTE_ORDER_MAGIC;
    const length = view.getUint32(pos + 4, le);
    const what = type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB ? 'packet block' : `block of type 0x${hex32(type)}`;
    this.warn.warn(
      offset,
      packetNumber,
      `the file ends inside a pcapng ${what}: it declares ${length} bytes but only ${availableBytes} are present (the capture was cut short); the partial block was dropped`,
    );
  }

  finish(): void {
    if (this.overSnapLenWarning && this.overSnapLen > 1) this.overSnapLenWarning.message += ` (${this.overSnapLen} blocks in all)`;
  }

  private sectionHeader(view: DataView, pos: number, length: number, le: boolean, offset: number, packetNumber: number): boolean {
    if (length < MIN_SHB_BYTES) {
      this.warn.warn(offset, packetNumber, `a pcapng section header is ${length} bytes long, less than the minimum of ${MIN_SHB_BYTES}: reading stopped`);
      return false;
    }
    const major = view.getUint16(pos + 12, le);
    if (major !== 1) {
      this.warn.warn(offset + 12, packetNumber, `a pcapng section has version ${major}.${view.getUint16(pos + 14, le)}, which netml does not know: reading stopped`);
      return false;
    }
    this.le = le;
    this.sectionNumber++;
    this.sectionBase = this.interfaces.length;
    this.sectionInterfaces = 0;
    return true;
  }

  private interfaceBlock(bytes: Uint8Array, view: DataView, pos: number, length: number, offset: number, packetNumber: number): void {
    const le = this.le;
    if (length < MIN_IDB_BYTES) {
      this.warn.warn(offset, packetNumber, `a pcapng interface description is ${length} bytes long, less than the minimum of ${MIN_IDB_BYTES}; skipped, so packets that refer to it will be skipped too`);
      return;
    }
    const linkType = view.getUint16(pos + 8, le);
    const snapLen = view.getUint32(pos + 12, le);
    let name = '';
    let tsresol = 6;
    let tsOffsetSec = 0;
    let opt = pos + 16;
    const optEnd = pos + length - 4;
    while (opt + 4 <= optEnd) {
      const code = view.getUint16(opt, le);
      const len = view.getUint16(opt + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (opt + 4 + len > optEnd) {
        this.warn.warn(bufferOffset(offset, pos, opt), packetNumber, `an option of a pcapng interface description runs past the end of its block; the options after it were ignored`);
        break;
      }
      const value = opt + 4;
      if (code === OPT_IF_NAME) {
        name = UTF8.decode(bytes.subarray(value, value + len)).replace(/\0+$/, '');
      } else if (code === OPT_IF_TSRESOL && len === 1) {
        tsresol = bytes[value];
      } else if (code === OPT_IF_TSOFFSET && len === 8) {
        // signed 64-bit seconds; exact for any offset below 2^53 s
        const lo = view.getUint32(le ? value : value + 4, le);
        const hi = view.getInt32(le ? value + 4 : value, le);
        tsOffsetSec = hi * TWO_32 + lo;
      }
      opt = value + ((len + 3) & ~3);
    }

    const isPowerOfTwo = (tsresol & 0x80) !== 0;
    const exponent = tsresol & 0x7f;
    if ((isPowerOfTwo && exponent >= 64) || (!isPowerOfTwo && exponent > 19)) {
      this.warn.warn(offset, packetNumber, `a pcapng interface declares a timestamp resolution of ${isPowerOfTwo ? '2' : '10'}^-${exponent} s, finer than 64 bits can count; microseconds assumed`);
      this.addInterface(linkType, snapLen, name, TS_DECIMAL, 1e6, 1_000_000n, 1000, tsOffsetSec, 6);
      return;
    }
    const unitsBig = isPowerOfTwo ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
    // tsResolutionDigits is a power of ten; a power-of-two resolution has none, hence NaN
    const units = Number(unitsBig);
    if (!isPowerOfTwo && exponent <= 9) {
      this.addInterface(linkType, snapLen, name, TS_DECIMAL, units, unitsBig, 10 ** (9 - exponent), tsOffsetSec, exponent);
    } else if (units < FAST_UNITS_LIMIT) {
      this.addInterface(linkType, snapLen, name, TS_SMALL, units, unitsBig, 0, tsOffsetSec, isPowerOfTwo ? NaN : exponent);
    } else {
      this.addInterface(linkType, snapLen, name, TS_BIG, units, unitsBig, 0, tsOffsetSec, isPowerOfTwo ? NaN : exponent);
    }
  }

  private addInterface(
    linkType: number,
    snapLen: number,
    name: string,
    mode: TsMode,
    units: number,
    unitsBig: bigint,
    nsPerUnit: number,
    tsOffsetSec: number,
    digits: number,
  ): void {
    this.interfaces.push({ linkType, snapLen, name, tsResolutionDigits: digits });
    this.ifLinkType.push(linkType);
    this.ifSnapLen.push(snapLen);
    this.ifTsMode.push(mode);
    this.ifUnits.push(units);
    this.ifUnitsBig.push(unitsBig);
    this.ifNsPerUnit.push(nsPerUnit);
    this.ifOffsetSec.push(tsOffsetSec);
    this.sectionInterfaces++;
  }

  /** EPB and the obsolete PB: same layout but for a 16-bit interface id followed by a drops counter. */
  private packetBlock(view: DataView, pos: number, length: number, type: number, offset: number, packetNumber: number, batch: FrameBatch, n: number): boolean {
    const le = this.le;
    const what = type === BLOCK_EPB ? 'enhanced packet block' : 'packet block';
    const minimum = type === BLOCK_EPB ? MIN_EPB_BYTES : MIN_PB_BYTES;
    if (length < minimum) {
      this.warn.warn(offset, packetNumber, `a pcapng ${what} is ${length} bytes long, less than the minimum of ${minimum}; skipped`);
      return false;
    }
    const localId = type === BLOCK_EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
    if (localId >= this.sectionInterfaces) {
      this.warn.warn(
        offset + 8,
        packetNumber,
        `a pcapng ${what} refers to interface ${localId} but section ${this.sectionNumber} defines ${this.sectionInterfaces === 0 ? 'no interface' : `only interfaces 0 to ${this.sectionInterfaces - 1}`}; the packet was skipped`,
      );
      return false;
    }
    const capLen = view.getUint32(pos + 20, le);
    const wireLen = view.getUint32(pos + 24, le);
    if (capLen > length - minimum) {
      this.warn.warn(offset + 20, packetNumber, `a pcapng ${what} declares ${capLen} captured bytes but its body holds only ${length - minimum}; the packet was skipped`);
      return false;
    }
    const id = this.sectionBase + localId;
    this.toSecNsec(id, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le));
    const snapLen = this.ifSnapLen[id];
    if (snapLen !== 0 && capLen > snapLen) this.overSnapshot(offset, packetNumber, capLen, snapLen);
    batch.start[n] = pos + 28;
    batch.capLen[n] = capLen;
    batch.wireLen[n] = wireLen;
    batch.tsSec[n] = this.tsSec;
    batch.tsNsec[n] = this.tsNsec;
    batch.linkType[n] = this.ifLinkType[id];
    batch.interfaceId[n] = id;
    return true;
  }

  /** SPB: interface 0 of the section, no timestamp; captured length = min(original, snapshot, body). */
  private simplePacketBlock(view: DataView, pos: number, length: number, offset: number, packetNumber: number, batch: FrameBatch, n: number): boolean {
    if (length < MIN_SPB_BYTES) {
      this.warn.warn(offset, packetNumber, `a pcapng simple packet block is ${length} bytes long, less than the minimum of ${MIN_SPB_BYTES}; skipped`);
      return false;
    }
    if (this.sectionInterfaces === 0) {
      this.warn.warn(offset, packetNumber, `a pcapng simple packet block comes before any interface description in section ${this.sectionNumber}; the packet was skipped`);
      return false;
    }
    const id = this.sectionBase;
    const wireLen = view.getUint32(pos + 8, this.le);
    const snapLen = this.ifSnapLen[id];
    let capLen = Math.min(wireLen, length - MIN_SPB_BYTES);
    if (snapLen !== 0 && capLen > snapLen) capLen = snapLen;
    batch.start[n] = pos + 12;
    batch.capLen[n] = capLen;
    batch.wireLen[n] = wireLen;
    batch.tsSec[n] = 0;
    batch.tsNsec[n] = 0;
    batch.linkType[n] = this.ifLinkType[id];
    batch.interfaceId[n] = id;
    return true;
  }

  /**
   * Splits the 64-bit count hi * 2^32 + lo of `units` per second into whole seconds and nanoseconds,
   * exactly and without BigInt for the usual resolutions: the division is done 16 bits at a time so
   * every intermediate stays below 2^53 (units < 2^37 suffices; decimal resolutions stop at 10^9).
   */
  private toSecNsec(id: number, hi: number, lo: number): void {
    const mode = this.ifTsMode[id];
    if (mode === TS_BIG) {
      const ts = (BigInt(hi) << 32n) | BigInt(lo);
      const unitsBig = this.ifUnitsBig[id];
      const rem = ts % unitsBig;
      this.tsSec = Number(ts / unitsBig) + this.ifOffsetSec[id];
      this.tsNsec = Number((rem * 1_000_000_000n) / unitsBig);
      return;
    }
    const u = this.ifUnits[id];
    const qh = Math.floor(hi / u);
    const rh = hi - qh * u;
    const r1 = rh * 65536 + (lo >>> 16);
    let q1 = Math.floor(r1 / u);
    let m1 = r1 - q1 * u;
    if (m1 < 0) {
      q1--;
      m1 += u;
    } else if (m1 >= u) {
      q1++;
      m1 -= u;
    }
    const r2 = m1 * 65536 + (lo & 0xffff);
    let q2 = Math.floor(r2 / u);
    let rem = r2 - q2 * u;
    if (rem < 0) {
      q2--;
      rem += u;
    } else if (rem >= u) {
      q2++;
      rem -= u;
    }
    this.tsSec = qh * TWO_32 + q1 * 65536 + q2 + this.ifOffsetSec[id];
    this.tsNsec = mode === TS_DECIMAL ? rem * this.ifNsPerUnit[id] : Math.floor((rem * 1e9) / u);
  }

  private overSnapshot(offset: number, packetNumber: number, capLen: number, snapLen: number): void {
    this.overSnapLen++;
    if (this.overSnapLen > 1) return;
    this.overSnapLenWarning = this.warn.warn(
      offset,
      packetNumber,
      `a packet block holds ${capLen} captured bytes, more than its interface's snapshot length ${snapLen}; all ${capLen} bytes kept, as tshark does`,
    );
  }
}

function bufferOffset(blockFileOffset: number, blockPos: number, pos: number): number {
  return blockFileOffset + (pos - blockPos);
}

function hex32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
