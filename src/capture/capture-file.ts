// Opens a capture file, recognises pcap or pcapng by its magic bytes and streams its packets as
// FrameBatches in constant memory: one reused chunk buffer, records parsed in place, a partial record
// carried over to the next read. The format modules parse; this one does the I/O and the bookkeeping.

import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { CaptureFormatError, inputFileError } from '../errors.js';
import { createFrameBatch, type CaptureFormat, type CaptureInterface, type CaptureWarning, type FrameBatch } from './frame-batch.js';
import { BlockReadAhead } from './read-ahead.js';
import { chooseVariant, isPcapMagic, parsePcapHeader, PcapRecordParser, PCAP_FILE_HEADER_BYTES, VARIANT_PROBE_BYTES } from './pcap-format.js';
import { BLOCK_SHB, checkFirstSectionHeader, PcapngRecordParser } from './pcapng-format.js';

export interface CaptureFileReader {
  readonly path: string;
  readonly format: CaptureFormat;
  readonly fileSizeBytes: number;
  /** bytes read from the file so far, for progress bars */
  readonly bytesRead: number;
  /** classic pcap: one; pcapng: grows as interface descriptions are read, ids global across sections */
  readonly interfaces: CaptureInterface[];
  /** damage found while reading: what, where, and what was kept */
  readonly warnings: CaptureWarning[];
  /** Streams the packets; a batch is valid until the next one is requested (buffers are reused). */
  batches(): AsyncIterable<FrameBatch>;
  close(): Promise<void>;
}

/** Where a format parser reports damage; returns the stored warning (undefined once the cap is reached). */
export interface WarningSink {
  warn(byteOffset: number, packetNumber: number, message: string): CaptureWarning | undefined;
}

/**
 * A format's record parser, driven by the reader over whatever part of the file is in the buffer.
 * parse() appends every complete record in bytes[pos, end) to the batch and returns the position after
 * the last one consumed; `status` says why it returned.
 */
export interface RecordParser {
  readonly interfaces: CaptureInterface[];
  status: 'needMore' | 'batchFull' | 'stop';
  /** with status needMore: how many bytes from the returned position the next record needs */
  needBytes: number;
  parse(bytes: Uint8Array, view: DataView, pos: number, end: number, bufferFileOffset: number, batch: FrameBatch): number;
  /** the file ends `availableBytes` after pos, inside the record at pos: push the warning that says so */
  truncated(view: DataView, pos: number, bufferFileOffset: number, packetNumber: number, availableBytes: number): void;
  /** the input is exhausted or reading stopped */
  finish(): void;
}

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
export const DEFAULT_BATCH_CAPACITY = 8192;
/** No record can be larger than this; a length above it is damage (and is never allocated). */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/**
 * Room in front of each block read for the unfinished record of the previous one: a record up to a full
 * 262,144-byte snapshot moves there and the block is parsed in place; longer ones are gathered apart.
 */
const BLOCK_HEADROOM_BYTES = 262_144 + 64;
/** Below this a chunk could not even hold a record header. */
const MIN_CHUNK_BYTES = 64;
/** A file whose damage repeats gets this many warnings, then one that says the rest were not listed. */
const MAX_WARNINGS = 100;

const FORMATS_HINT = 'netml reads pcap and pcapng capture files (tcpdump -w, dumpcap, Wireshark); give one of those';

export async function openCaptureFile(path: string, options: { chunkBytes?: number; batchCapacity?: number } = {}): Promise<CaptureFileReader> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw inputFileError(path, err);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw inputFileError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
    // positional reads need a regular file; pipes and devices are read front to back and skip the
    // pcap variant probe, as wiretap does
    const seekable = st.isFile();
    const chunkBytes = Math.max(MIN_CHUNK_BYTES, Math.floor(options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    const batchCapacity = Math.max(1, Math.floor(options.batchCapacity ?? DEFAULT_BATCH_CAPACITY));
    const buf = Buffer.allocUnsafeSlow(chunkBytes);
    const have = await readAtLeast(path, fh, buf, 0, MIN_CHUNK_BYTES, seekable ? 0 : null);

    if (have === 0) throw new CaptureFormatError(path, 0, 'the file is empty', `${FORMATS_HINT}; an interrupted capture can leave an empty file`);
    if (have < 4) throw new CaptureFormatError(path, 0, `the file has only ${have} bytes, too few for any capture format`, FORMATS_HINT);
    const magic = buf.readUInt32BE(0);
    const fileSizeBytes = seekable ? st.size : 0;
    const sizeIfKnown = seekable ? st.size : undefined;
    const reader = new StreamingCaptureReader(path, fh, fileSizeBytes, seekable, buf, have, batchCapacity);

    if (magic === BLOCK_SHB) {
      checkFirstSectionHeader(path, buf, have, sizeIfKnown);
      reader.start('pcapng', new PcapngRecordParser(reader, MAX_RECORD_BYTES), 0);
      return reader;
    }
    if (isPcapMagic(magic)) {
      const header = parsePcapHeader(path, buf, have);
      let probe: Buffer | undefined;
      let probeLength = 0;
      if (seekable && header.variant === undefined) {
        probe = Buffer.allocUnsafeSlow(Math.min(VARIANT_PROBE_BYTES, Math.max(0, st.size - PCAP_FILE_HEADER_BYTES)));
        probeLength = await readAtLeast(path, fh, probe, 0, probe.length, PCAP_FILE_HEADER_BYTES);
      }
      const probeIsWholeRest = PCAP_FILE_HEADER_BYTES + probeLength >= st.size;
      const variant = probe ? chooseVariant(header, probe, probeLength, probeIsWholeRest) : (header.variant ?? 'pcap');
      reader.start(variant === 'pcap-ns' ? 'pcap-ns' : 'pcap', new PcapRecordParser(header, variant, reader, MAX_RECORD_BYTES), PCAP_FILE_HEADER_BYTES);
      return reader;
    }
    throw new CaptureFormatError(path, 0, `not a capture file: it starts with ${describeMagic(buf, have)}`, FORMATS_HINT + hintForMagic(buf, have));
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

/** True when the file starts with a pcap or pcapng magic number; false for anything else, unreadable included. */
export function isCaptureFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
    const magic = head.readUInt32BE(0);
    return magic === BLOCK_SHB || isPcapMagic(magic);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Reads into buf[offset..] until at least `min` bytes came or the file ended; returns the count. */
async function readAtLeast(path: string, fh: FileHandle, buf: Uint8Array, offset: number, min: number, position: number | null): Promise<number> {
  let got = 0;
  while (got < min && offset + got < buf.length) {
    let n: number;
    try {
      ({ bytesRead: n } = await fh.read(buf, offset + got, buf.length - offset - got, position === null ? null : position + got));
    } catch (err) {
      throw inputFileError(path, err);
    }
    if (n === 0) break;
    got += n;
  }
  return got;
}

const KNOWN_MAGICS: [prefix: number[], name: string, hint: string][] = [
  [[0x1f, 0x8b], 'gzip-compressed data', '; it is gzip-compressed: run `gunzip` on it first'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed data', '; it is zstd-compressed: run `unzstd` on it first'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a], 'xz-compressed data', '; it is xz-compressed: run `unxz` on it first'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed data', '; it is bzip2-compressed: run `bunzip2` on it first'],
  [[0x50, 0x4b, 0x03, 0x04], 'a zip archive', '; it is a zip archive: unzip it first'],
  [[0x73, 0x6e, 0x6f, 0x6f, 0x70], 'a Solaris snoop capture', '; convert it with `editcap -F pcapng IN OUT`'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable', ''],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document', ''],
];

/** Names the first 4 bytes: hex, plus text or a known file type when they look like one. */
function describeMagic(buf: Uint8Array, have: number): string {
  const first = Array.from(buf.subarray(0, Math.min(4, have)), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const known = KNOWN_MAGICS.find(([prefix]) => prefix.length <= have && prefix.every((b, i) => buf[i] === b));
  if (known) return `${first} (${known[1]})`;
  const printable = Array.from(buf.subarray(0, Math.min(4, have))).every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);
  if (printable) return `${first} ("${Buffer.from(buf.subarray(0, Math.min(4, have))).toString('latin1').replace(/[\r\n\t]/g, ' ')}", text)`;
  return first;
}

function hintForMagic(buf: Uint8Array, have: number): string {
  const known = KNOWN_MAGICS.find(([prefix]) => prefix.length <= have && prefix.every((b, i) => buf[i] === b));
  return known ? known[2] : '';
}

class StreamingCaptureReader implements CaptureFileReader, WarningSink {
  readonly path: string;
  format: CaptureFormat = 'pcap';
  readonly fileSizeBytes: number;
  bytesRead: number;
  readonly warnings: CaptureWarning[] = [];

  private fh: FileHandle | undefined;
  private closing: Promise<void> | undefined;
  private readonly seekable: boolean;
  /** the reusable chunk buffer; a larger one is allocated only while a record bigger than it is read */
  private readonly chunk: Buffer;
  private readonly initialBytes: number;
  private readonly batch: FrameBatch;
  private readAhead: BlockReadAhead | undefined;
  private parser: RecordParser | undefined;
  private startPos = 0;
  private iterated = false;
  private packets = 0;
  private suppressedWarnings = 0;

  constructor(path: string, fh: FileHandle, fileSizeBytes: number, seekable: boolean, chunk: Buffer, initialBytes: number, batchCapacity: number) {
    this.path = path;
    this.fh = fh;
    this.fileSizeBytes = fileSizeBytes;
    this.seekable = seekable;
    this.chunk = chunk;
    this.initialBytes = initialBytes;
    this.bytesRead = initialBytes;
    this.batch = createFrameBatch(batchCapacity);
  }

  start(format: CaptureFormat, parser: RecordParser, startPos: number): void {
    this.format = format;
    this.parser = parser;
    this.startPos = startPos;
  }

  get interfaces(): CaptureInterface[] {
    return this.parser!.interfaces;
  }

  warn(byteOffset: number, packetNumber: number, message: string): CaptureWarning | undefined {
    if (this.warnings.length >= MAX_WARNINGS) {
      this.suppressedWarnings++;
      return undefined;
    }
    const w: CaptureWarning = { byteOffset, packetNumber, message };
    this.warnings.push(w);
    return w;
  }

  batches(): AsyncIterable<FrameBatch> {
    if (this.iterated) throw new Error(`${this.path}: batches() can be iterated only once`);
    this.iterated = true;
    return this.stream();
  }

  private async *stream(): AsyncGenerator<FrameBatch> {
    const parser = this.parser!;
    const batch = this.batch;
    let buf = this.chunk;
    let view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let have = this.initialBytes;
    let pos = this.startPos;
    /** file offset of buf[0] */
    let base = 0;
    let eof = false;
    try {
      for (;;) {
        batch.count = 0;
        batch.firstPacketNumber = this.packets + 1;
        batch.bytes = buf;
        pos = parser.parse(buf, view, pos, have, base, batch);
        const status = parser.status;
        if (batch.count > 0) {
          this.packets += batch.count;
          yield batch;
        }
        if (status === 'batchFull') continue;
        if (status === 'stop') break;

        // needMore: the record at pos is incomplete in the buffer
        if (eof) {
          if (pos < have) parser.truncated(view, pos, base, this.packets + 1, have - pos);
          break;
        }
        const need = parser.needBytes;
        const rest = have - pos;
        const blocks = this.blocks(base + have);
        if (rest <= blocks.headroom && need <= blocks.headroom + blocks.blockBytes) {
          // the usual case: the next block is parsed where it was read, the unfinished record moved in front
          const next = await this.nextBlock(blocks);
          if (next.length === 0) {
            blocks.recycle(next.buf);
            eof = true;
            continue;
          }
          buf.copy(next.buf, blocks.headroom - rest, pos, have);
          if (buf !== this.chunk) blocks.recycle(buf);
          base += have - blocks.headroom;
          pos = blocks.headroom - rest;
          have = blocks.headroom + next.length;
          buf = next.buf;
        } else {
          // a record longer than a block (or its start): gather it in a buffer of its own
          const available = this.fileSizeBytes - (base + pos);
          if (this.seekable && need > available) {
            // the record cannot fit in what is left of the file: do not allocate for a bogus length
            parser.truncated(view, pos, base, this.packets + 1, available);
            break;
          }
          let target = Buffer.allocUnsafeSlow(Math.max(need, rest + blocks.blockBytes));
          buf.copy(target, 0, pos, have);
          if (buf !== this.chunk) blocks.recycle(buf);
          let filled = rest;
          while (filled < need) {
            const next = await this.nextBlock(blocks);
            if (next.length === 0) {
              blocks.recycle(next.buf);
              eof = true;
              break;
            }
            if (filled + next.length > target.length) {
              const bigger = Buffer.allocUnsafeSlow(filled + next.length);
              target.copy(bigger, 0, 0, filled);
              target = bigger;
            }
            next.buf.copy(target, filled, blocks.headroom, blocks.headroom + next.length);
            blocks.recycle(next.buf);
            filled += next.length;
          }
          base += pos;
          pos = 0;
          have = filled;
          buf = target;
        }
        view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      }
      parser.finish();
      if (this.suppressedWarnings > 0) {
        this.warnings.push({
          byteOffset: this.warnings[this.warnings.length - 1].byteOffset,
          packetNumber: this.warnings[this.warnings.length - 1].packetNumber,
          message: `${this.suppressedWarnings} more warnings were not listed`,
        });
        this.suppressedWarnings = 0;
      }
    } finally {
      await this.close();
    }
  }

  private async nextBlock(blocks: BlockReadAhead): Promise<{ buf: Buffer; length: number }> {
    try {
      const next = await blocks.nextBlock();
      this.bytesRead += next.length;
      return next;
    } catch (err) {
      throw inputFileError(this.path, err);
    }
  }

  /** The block reader, made at the first refill (the bytes before `position` came with the format probe). */
  private blocks(position: number): BlockReadAhead {
    const fh = this.fh;
    if (!fh) throw new Error(`${this.path}: read after close`);
    this.readAhead ??= new BlockReadAhead(fh, this.seekable, position, this.chunk.length, Math.min(BLOCK_HEADROOM_BYTES, this.chunk.length));
    return this.readAhead;
  }

  close(): Promise<void> {
    if (!this.closing) {
      const fh = this.fh;
      const readAhead = this.readAhead;
      this.fh = undefined;
      this.closing = fh ? (readAhead ? readAhead.settle() : Promise.resolve()).then(() => fh.close()) : Promise.resolve();
    }
    return this.closing;
  }
}
