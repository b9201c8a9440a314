// Classic pcap (tcpdump -w): the 24-byte file header and the record parser. Reads records in place out of
// the reader's chunk buffer into a FrameBatch; damage becomes a CaptureWarning, never an exception.
// Behaviour on odd files follows wiretap (Wireshark 4.0 wiretap/libpcap.c), so netml keeps every packet
// tshark keeps: record-header variants of 1999 Linux patches and Nokia, pre-2.3 swapped lengths, AIX.

import type { RecordParser, WarningSink } from './capture-file.js';
import type { CaptureInterface, FrameBatch } from './frame-batch.js';
import { CaptureFormatError } from '../errors.js';

export const PCAP_FILE_HEADER_BYTES = 24;

/** libpcap's LINKTYPE_LINKTYPE_MASK: the upper 6 bits of the header's link type carry FCS information. */
const LINKTYPE_MASK = 0x03ffffff;

/** libpcap MAXIMUM_SNAPLEN and wiretap WTAP_MAX_PACKET_SIZE_STANDARD: larger records end tshark's reading. */
export const STANDARD_MAX_CAPLEN = 262144;

/** Link types whose packets may legitimately exceed 256 KiB (libpcap max_snaplen_for_dlt, wiretap). */
const LARGE_CAPLEN_BY_LINKTYPE: ReadonlyMap<number, number> = new Map([
  [231, 128 * 1024 * 1024], // D-Bus
  [249, 128 * 1024 * 1024], // USBPcap
  [279, 8 * 1024 * 1024], // EBHSCR
]);

export function maxCapLenForLinkType(linkType: number): number {
  return LARGE_CAPLEN_BY_LINKTYPE.get(linkType) ?? STANDARD_MAX_CAPLEN;
}

/** The record header layouts a file with a pcap magic can use (wiretap's pcap_variant_t). */
export type PcapVariant = 'pcap' | 'pcap-ns' | 'aix' | 'ss990417' | 'ss990915' | 'ss991029' | 'nokia';

const RECORD_HEADER_BYTES: Record<PcapVariant, number> = {
  pcap: 16,
  'pcap-ns': 16,
  aix: 16,
  ss990417: 24, // + ifindex, protocol, pkt_type, pad
  ss991029: 24,
  ss990915: 28, // + ifindex, protocol, pkt_type, cpu1, cpu2, pad[3]
  nokia: 20, // + 4 unknown bytes
};

type MagicKind = 'standard' | 'nanosecond' | 'modified';

const MAGICS: ReadonlyMap<number, { kind: MagicKind; littleEndian: boolean }> = new Map([
  [0xd4c3b2a1, { kind: 'standard', littleEndian: true }],
  [0xa1b2c3d4, { kind: 'standard', littleEndian: false }],
  [0x4d3cb2a1, { kind: 'nanosecond', littleEndian: true }],
  [0xa1b23c4d, { kind: 'nanosecond', littleEndian: false }],
  [0x34cdb2a1, { kind: 'modified', littleEndian: true }],
  [0xa1b2cd34, { kind: 'modified', littleEndian: false }],
]);

/** True when the first 4 bytes (read big-endian) are one of the pcap magics in either byte order. */
export function isPcapMagic(firstWordBigEndian: number): boolean {
  return MAGICS.has(firstWordBigEndian >>> 0);
}

/** Before 2.3 the record header had orig_len before incl_len; 2.3 files were written both ways. */
type LengthOrder = 'normal' | 'swapped' | 'maybe-swapped';

export interface PcapHeader {
  littleEndian: boolean;
  magic: MagicKind;
  versionMajor: number;
  versionMinor: number;
  snapLen: number;
  /** the header's link type field as written */
  rawLinkType: number;
  /** masked with 0x03ffffff, after the AIX ifType mapping */
  linkType: number;
  lengthOrder: LengthOrder;
  /** the variant known from the header alone, or undefined when the records must be tried */
  variant: PcapVariant | undefined;
}

/** AIX tcpdump wrote RFC 1573 ifType values in version 2.2 files (wiretap libpcap_open). */
const AIX_IFTYPE_TO_LINKTYPE: ReadonlyMap<number, number> = new Map([
  [6, 1],
  [9, 6],
  [15, 10],
  [24, 0],
]);

/** Parses the 24-byte header; throws CaptureFormatError when it cannot start reading. */
export function parsePcapHeader(path: string, bytes: Uint8Array, available: number): PcapHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicInfo = MAGICS.get(view.getUint32(0, false));
  if (!magicInfo) throw new Error('parsePcapHeader called without a pcap magic');
  if (available < PCAP_FILE_HEADER_BYTES) {
    throw new CaptureFormatError(
      path,
      available,
      `the pcap file header needs ${PCAP_FILE_HEADER_BYTES} bytes but the file has only ${available}`,
      'the capture was cut short before its first packet; capture again, or check the copy',
    );
  }
  const le = magicInfo.littleEndian;
  const versionMajor = view.getUint16(4, le);
  const versionMinor = view.getUint16(6, le);
  const snapLen = view.getUint32(16, le);
  const rawLinkType = view.getUint32(20, le);
  if (versionMajor < 2) {
    throw new CaptureFormatError(
      path,
      4,
      `pcap version ${versionMajor}.${versionMinor} is not supported (2.0 and later are)`,
      'convert it with `editcap -F pcap IN OUT` if Wireshark can read it',
    );
  }
  let lengthOrder: LengthOrder = 'normal';
  if ((versionMajor === 2 && versionMinor < 3) || versionMajor === 543) lengthOrder = 'swapped'; // 543.0: DG/UX
  else if (versionMajor === 2 && versionMinor === 3) lengthOrder = 'maybe-swapped';

  let linkType = rawLinkType & LINKTYPE_MASK;
  let variant: PcapVariant | undefined = magicInfo.kind === 'nanosecond' ? 'pcap-ns' : undefined;
  const aixLinkType = AIX_IFTYPE_TO_LINKTYPE.get(rawLinkType);
  if (magicInfo.kind === 'standard' && versionMajor === 2 && versionMinor === 2 && aixLinkType !== undefined) {
    linkType = aixLinkType;
    variant = 'aix';
  }
  return { littleEndian: le, magic: magicInfo.kind, versionMajor, versionMinor, snapLen, rawLinkType, linkType, lengthOrder, variant };
}

/** wiretap tries this many records per variant (MAX_RECORDS_TO_TRY). */
const RECORDS_TO_TRY = 3;

/** Bytes after the file header that hold RECORDS_TO_TRY records of any sane variant. */
export const VARIANT_PROBE_BYTES = RECORDS_TO_TRY * (28 + STANDARD_MAX_CAPLEN);

/**
 * Chooses the record header variant the way wiretap does (libpcap_try_variants): each candidate reads the
 * first records and gets one demerit per implausible field; the first with none wins, else the least bad.
 * `probe` holds the bytes after the file header; `probeIsWholeRest` says whether it reaches the end of file.
 */
export function chooseVariant(header: PcapHeader, probe: Uint8Array, probeLength: number, probeIsWholeRest: boolean): PcapVariant {
  if (header.variant) return header.variant;
  const candidates: PcapVariant[] = header.magic === 'modified' ? ['ss991029', 'ss990915'] : ['pcap', 'ss990417', 'nokia'];
  const view = new DataView(probe.buffer, probe.byteOffset, probe.byteLength);
  let best: PcapVariant = candidates[0];
  let bestDemerits = Infinity;
  for (const candidate of candidates) {
    const demerits = tryVariant(header, candidate, view, probeLength, probeIsWholeRest);
    if (demerits === 0) return candidate;
    if (demerits < bestDemerits) {
      best = candidate;
      bestDemerits = demerits;
    }
  }
  return best;
}

function tryVariant(header: PcapHeader, variant: PcapVariant, view: DataView, length: number, wholeRest: boolean): number {
  const hdrLen = RECORD_HEADER_BYTES[variant];
  const maxCapLen = maxCapLenForLinkType(header.linkType);
  const le = header.littleEndian;
  // a short read only counts against the variant when the probe really is the end of the file
  const shortRead = wholeRest ? 1 : 0;
  let pos = 0;
  for (let i = 0; i < RECORDS_TO_TRY; i++) {
    if (pos === length) return 0;
    if (length - pos < hdrLen) return shortRead;
    const frac = view.getUint32(pos + 4, le);
    let incl = view.getUint32(pos + 8, le);
    let orig = view.getUint32(pos + 12, le);
    if (header.lengthOrder === 'swapped' || (header.lengthOrder === 'maybe-swapped' && incl > orig)) [incl, orig] = [orig, incl];
    let demerits = 0;
    if (frac >= 1_000_000) demerits++;
    if (incl > maxCapLen) demerits++;
    if (orig > 128 * 1024 * 1024) demerits++;
    if (incl > header.snapLen) demerits++;
    if (incl > orig) demerits++;
    if (demerits > 0) return demerits;
    if (length - pos - hdrLen < incl) return shortRead;
    pos += hdrLen + incl;
  }
  return 0;
}

/** The CaptureInterface a classic pcap file describes (there is exactly one). */
export function pcapInterface(header: PcapHeader, variant: PcapVariant): CaptureInterface {
  const nanosecond = variant === 'pcap-ns' || variant === 'aix';
  return { linkType: header.linkType, snapLen: header.snapLen, name: '', tsResolutionDigits: nanosecond ? 9 : 6 };
}

const NS_PER_US = 1000;

export class PcapRecordParser implements RecordParser {
  readonly interfaces: CaptureInterface[];
  status: 'needMore' | 'batchFull' | 'stop' = 'needMore';
  needBytes = 0;

  private readonly le: boolean;
  private readonly hdrLen: number;
  private readonly swapAlways: boolean;
  private readonly swapMaybe: boolean;
  /** a fraction of a second at or above this is out of range (1e6 for µs, 1e9 for ns) */
  private readonly fracLimit: number;
  private readonly nsPerFrac: number;
  private readonly linkType: number;
  private readonly snapLen: number;
  /** above this a record length is taken as damage and reading stops */
  private readonly maxCapLen: number;
  /** AIX wrote 3 bytes of padding before FDDI frames, counted in both lengths */
  private readonly skipBytes: number;
  private readonly warn: WarningSink;
  private readonly variant: PcapVariant;

  private fracWarned = false;
  private overSnapLen = 0;
  private overSnapLenWarning: { message: string } | undefined;
  private capOverWireWarned = false;

  constructor(header: PcapHeader, variant: PcapVariant, warn: WarningSink, maxRecordBytes: number) {
    this.le = header.littleEndian;
    this.variant = variant;
    this.hdrLen = RECORD_HEADER_BYTES[variant];
    this.swapAlways = header.lengthOrder === 'swapped';
    this.swapMaybe = header.lengthOrder === 'maybe-swapped';
    const nanosecond = variant === 'pcap-ns' || variant === 'aix';
    this.fracLimit = nanosecond ? 1e9 : 1e6;
    this.nsPerFrac = nanosecond ? 1 : NS_PER_US;
    this.linkType = header.linkType;
    this.snapLen = header.snapLen;
    // wiretap stops above the link type's maximum; a header that promises larger snapshots is believed,
    // up to the reader's absolute bound
    this.maxCapLen = Math.min(maxRecordBytes, Math.max(maxCapLenForLinkType(header.linkType), header.snapLen));
    this.skipBytes = variant === 'aix' && header.linkType === 10 ? 3 : 0;
    this.warn = warn;
    this.interfaces = [pcapInterface(header, variant)];
  }

  parse(bytes: Uint8Array, view: DataView, pos: number, end: number, bufferFileOffset: number, batch: FrameBatch): number {
    const le = this.le;
    const hdrLen = this.hdrLen;
    const capacity = batch.start.length;
    const startArr = batch.start;
    const capLenArr = batch.capLen;
    const wireLenArr = batch.wireLen;
    const tsSecArr = batch.tsSec;
    const tsNsecArr = batch.tsNsec;
    const linkTypeArr = batch.linkType;
    const interfaceIdArr = batch.interfaceId;
    const linkType = this.linkType;
    const maxCapLen = this.maxCapLen;
    const snapLen = this.snapLen;
    const fracLimit = this.fracLimit;
    const nsPerFrac = this.nsPerFrac;
    const swapAlways = this.swapAlways;
    const swapMaybe = this.swapMaybe;
    let n = batch.count;
    for (;;) {
      if (n >= capacity) {
        this.status = 'batchFull';
        break;
      }
      if (end - pos < hdrLen) {
        this.status = 'needMore';
        this.needBytes = hdrLen;
        break;
      }
      let sec = view.getUint32(pos, le);
      let frac = view.getUint32(pos + 4, le);
      let incl = view.getUint32(pos + 8, le);
      let orig = view.getUint32(pos + 12, le);
      if (swapAlways || (swapMaybe && incl > orig)) {
        const t = incl;
        incl = orig;
        orig = t;
      }
      if (incl > maxCapLen) {
        this.tooLarge(bufferFileOffset + pos, batch.firstPacketNumber + n, incl);
        this.status = 'stop';
        break;
      }
      if (end - pos - hdrLen < incl) {
        this.status = 'needMore';
        this.needBytes = hdrLen + incl;
        break;
      }
      if (frac >= fracLimit) {
        sec += Math.floor(frac / fracLimit);
        frac %= fracLimit;
        this.fracOutOfRange(bufferFileOffset + pos, batch.firstPacketNumber + n, view.getUint32(pos + 4, le));
      }
      if (incl > snapLen && snapLen !== 0) this.overSnapshot(bufferFileOffset + pos, batch.firstPacketNumber + n, incl);
      if (incl > orig && !this.capOverWireWarned) this.capOverWire(bufferFileOffset + pos, batch.firstPacketNumber + n, incl, orig);
      let dataStart = pos + hdrLen;
      if (this.skipBytes > 0) {
        const skip = Math.min(this.skipBytes, incl);
        dataStart += skip;
        incl -= skip;
        orig = Math.max(0, orig - skip);
      }
      startArr[n] = dataStart;
      capLenArr[n] = incl;
      wireLenArr[n] = orig;
      tsSecArr[n] = sec;
      tsNsecArr[n] = frac * nsPerFrac;
      linkTypeArr[n] = linkType;
      interfaceIdArr[n] = 0;
      n++;
      pos = dataStart + incl;
    }
    batch.count = n;
    return pos;
  }

  truncated(view: DataView, pos: number, bufferFileOffset: number, packetNumber: number, availableBytes: number): void {
    const offset = bufferFileOffset + pos;
    const hdrLen = this.hdrLen;
    if (availableBytes < hdrLen) {
      this.warn.warn(
        offset,
        packetNumber,
        `the file ends inside a record header: ${availableBytes} of its ${hdrLen} bytes are present (the capture was cut short); the partial record was dropped`,
      );
      return;
    }
    let incl = view.getUint32(pos + 8, this.le);
    let orig = view.getUint32(pos + 12, this.le);
    if (this.swapAlways || (this.swapMaybe && incl > orig)) incl = orig;
    this.warn.warn(
      offset,
      packetNumber,
      `the file ends inside a packet: the record declares ${incl} captured bytes but only ${availableBytes - hdrLen} follow its header (the capture was cut short); the partial packet was dropped`,
    );
  }

  /** Called once the input is exhausted, to finish summary warnings. */
  finish(): void {
    if (this.overSnapLenWarning && this.overSnapLen > 1) {
      this.overSnapLenWarning.message += ` (${this.overSnapLen} records in all)`;
    }
  }

  private tooLarge(offset: number, packetNumber: number, incl: number): void {
    const why =
      incl > this.maxCapLen && this.maxCapLen < maxCapLenForLinkType(this.linkType)
        ? `more than netml's bound of ${this.maxCapLen} bytes per record`
        : `more than the ${this.maxCapLen}-byte maximum for link type ${this.linkType}` +
          (this.variant !== 'pcap' && this.variant !== 'pcap-ns' ? ` (records read as the ${this.variant} pcap variant)` : '');
    this.warn.warn(offset, packetNumber, `a record declares a captured length of ${incl} bytes, ${why}: the file is corrupt from here on, reading stopped`);
  }

  private fracOutOfRange(offset: number, packetNumber: number, frac: number): void {
    if (this.fracWarned) return;
    this.fracWarned = true;
    const unit = this.fracLimit === 1e9 ? 'nanoseconds' : 'microseconds';
    this.warn.warn(
      offset,
      packetNumber,
      `the timestamp's fraction of a second is ${frac} ${unit}, out of range; carried into the seconds and the packet kept (later records like this are not reported)`,
    );
  }

  private overSnapshot(offset: number, packetNumber: number, incl: number): void {
    this.overSnapLen++;
    if (this.overSnapLen > 1) return;
    this.overSnapLenWarning = this.warn.warn(
      offset,
      packetNumber,
      `the captured length ${incl} is larger than the snapshot length ${this.snapLen} in the file header; all ${incl} bytes kept, as tshark does`,
    );
  }

  private capOverWire(offset: number, packetNumber: number, incl: number, orig: number): void {
    this.capOverWireWarned = true;
    this.warn.warn(
      offset,
      packetNumber,
      `the captured length ${incl} is larger than the length on the wire ${orig}; both kept as written (later records like this are not reported)`,
    );
  }
}
