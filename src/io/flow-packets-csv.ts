// Reads the capture stage's packets.csv (schema packets/1, src/schema/packet-columns.ts) back into the
// reused PacketMeta, so the flow, host and packet levels run on it exactly as on a capture file. Addresses
// are parsed into a scratch byte buffer that stands in for the frame: IPv4 at the offsets an IPv4 header
// would hold them (src 12, dst 16 after a header starting at 0), IPv6 likewise after a header starting at
// V6_HEADER_AT, and everything else zero. The flow key reads the ICMP echo identifier from the frame, and
// packets.csv has no identifier column: those bytes read 0, so all echo requests and replies between two
// hosts share one flow (docs/extract.md says so). Fields packets.csv does not hold are left as "absent".
//
// The parser works on bytes: a 4 MiB chunk at a time (read ahead by the thread pool), rows split on
// newlines outside quotes, cells parsed in place; a row cut by the chunk's end is carried to the next.

import { open, type FileHandle } from 'node:fs/promises';
import { ReadAhead } from '../capture/read-ahead.js';
import type { CaptureWarning } from '../capture/frame-batch.js';
import { DecodeStatus, decodeStatusNames, PacketMeta } from '../decode/packet-meta.js';
import { BadDataError, inputFileError } from '../errors.js';
import { PACKET_COLUMNS, PACKET_CSV_HEADER, PACKETS_SCHEMA_VERSION } from '../schema/packet-columns.js';
import type { Extraction } from './flow-extraction.js';
import type { ExtractInput } from './flow-inputs.js';

const CHUNK_BYTES = 4 * 1024 * 1024;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;
const V4_SRC = 12;
const V4_DST = 16;
/** IPv6 addresses sit past anything an IPv4 packet's ICMP identifier read can reach (ip_len < 65536) */
const V6_HEADER_AT = 65600;
const V6_SRC = V6_HEADER_AT + 8;
const V6_DST = V6_HEADER_AT + 24;
const SCRATCH_BYTES = V6_HEADER_AT + 65536 + 64;
const UINT32_MAX = 4294967295;
/** an IPv6 jumbogram's length: 40 + a 32-bit payload length */
const IP_LEN_MAX = UINT32_MAX + 40;
/** seconds the capture copy can hold (pcapng nanoseconds in 64 bits), year 2514 */
const MAX_EPOCH_S = 2 ** 34 - 1;

const HINT = `give the packets.csv that \`netml capture\` wrote (schema ${PACKETS_SCHEMA_VERSION}), or a pcap/pcapng capture`;

const col = (name: string): number => {
  const i = PACKET_COLUMNS.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`packets.csv has no column ${name}`);
  return i;
};
const C_TIME = col('time_epoch_s');
const C_WIRE = col('wire_len_bytes');
const C_VLAN = col('vlan_id');
const C_VERSION = col('ip_version');
const C_SRC = col('src_addr');
const C_DST = col('dst_addr');
const C_PROTO = col('ip_proto');
const C_TTL = col('ttl');
const C_IPLEN = col('ip_len_bytes');
const C_MF = col('ip_mf');
const C_FRAG = col('frag_offset_bytes');
const C_SPORT = col('src_port');
const C_DPORT = col('dst_port');
const C_FLAGS = col('tcp_flags');
const C_SEQ = col('tcp_seq');
const C_ACK = col('tcp_ack');
const C_WINDOW = col('tcp_window');
const C_OPTIONS = col('tcp_options_bytes');
const C_PAYLOAD = col('payload_bytes');
const C_ICMP_TYPE = col('icmp_type');
const C_ICMP_CODE = col('icmp_code');
const C_STATUS = col('status');
const COLUMNS = PACKET_COLUMNS.length;
const STATUS_TEXT = decodeStatusNames.map((n) => Buffer.from(n));

/** True when the file starts like text with commas (a CSV), as no capture format does. */
export function looksLikePacketsCsv(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let comma = false;
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b === COMMA) comma = true;
    else if (!((b >= 0x20 && b < 0x7f) || b === NEWLINE || b === CR || b === 0x09)) return false;
  }
  return comma;
}

export async function openPacketsCsv(path: string): Promise<ExtractInput> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw inputFileError(path, err);
  }
  try {
    const size = (await fh.stat()).size;
    const input = new PacketsCsvInput(path, fh, size);
    await input.readHeader();
    return input;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

class PacketsCsvInput implements ExtractInput {
  readonly path: string;
  readonly format = 'packets-csv';
  readonly fileSizeBytes: number;
  bytesRead = 0;
  readonly warnings: CaptureWarning[] = [];
  private readonly fh: FileHandle;
  private readonly readAhead: ReadAhead;
  private buf = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private have = 0;
  private pos = 0;
  private line = 1;
  private closed = false;
  private readonly meta = new PacketMeta();
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  private readonly cellStart = new Int32Array(COLUMNS + 1);
  private readonly cellEnd = new Int32Array(COLUMNS + 1);
  private tsSec = 0;
  private tsNsec = 0;

  constructor(path: string, fh: FileHandle, size: number) {
    this.path = path;
    this.fh = fh;
    this.fileSizeBytes = size;
    this.readAhead = new ReadAhead(fh, true, 0, CHUNK_BYTES);
  }

  /** Reads the header line and checks it is packets/1's, column for column (the buffer keeps 1 byte spare for a last newline). */
  async readHeader(): Promise<void> {
    await this.fill();
    let end = this.buf.subarray(0, this.have).indexOf(NEWLINE);
    while (end < 0 && this.have < this.buf.length - 1) {
      if ((await this.fill()) === 0) break;
      end = this.buf.subarray(0, this.have).indexOf(NEWLINE);
    }
    const lineEnd = end < 0 ? Math.min(this.have, 4096) : end;
    const header = this.buf.toString('latin1', 0, lineEnd).replace(/\r$/, '');
    if (header !== PACKET_CSV_HEADER) throw headerError(this.path, header);
    this.pos = end < 0 ? this.have : end + 1;
    this.line = 2;
  }

  async *feed(extraction: Extraction): AsyncGenerator<void> {
    const meta = this.meta;
    meta.reset(this.scratch, -1);
    for (;;) {
      const parsedTo = this.parseRows(extraction);
      // keep the cut row at the front and read more behind it
      const rest = this.have - parsedTo;
      if (parsedTo > 0 && rest > 0) this.buf.copyWithin(0, parsedTo, this.have);
      this.have = rest;
      this.pos = 0;
      if (this.have >= this.buf.length - 1) {
        // a row longer than the whole buffer: not packets.csv (its rows are below 1 KB)
        throw new BadDataError(`${this.path}: line ${this.line} is longer than ${this.buf.length} bytes; packets.csv rows are below 1 KB`, HINT);
      }
      const n = await this.fill();
      if (n === 0) {
        if (this.have > 0) {
          // the last row without a newline
          this.buf[this.have] = NEWLINE;
          this.have++;
          this.parseRows(extraction);
        }
        break;
      }
      yield;
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.readAhead.settle().then(() => this.fh.close());
  }

  private async fill(): Promise<number> {
    const n = await this.readAhead.read(this.buf, this.have, this.buf.length - this.have - 1);
    this.have += n;
    this.bytesRead += n;
    return n;
  }

  /** Parses every complete row in buf[pos, have) into the extraction; returns where the first incomplete row starts. */
  private parseRows(extraction: Extraction): number {
    const buf = this.buf;
    const have = this.have;
    const starts = this.cellStart;
    const ends = this.cellEnd;
    let p = this.pos;
    for (;;) {
      const rowStart = p;
      let cell = 0;
      let start = p;
      let complete = false;
      let quoted = false;
      while (p < have) {
        const b = buf[p];
        if (quoted) {
          if (b === QUOTE) {
            if (p + 1 < have && buf[p + 1] === QUOTE) p++;
            else quoted = false;
          }
          p++;
          continue;
        }
        if (b === COMMA) {
          if (cell < COLUMNS) {
            starts[cell] = start;
            ends[cell] = p;
          }
          cell++;
          start = p + 1;
        } else if (b === NEWLINE) {
          if (cell < COLUMNS) {
            starts[cell] = start;
            ends[cell] = p > start && buf[p - 1] === CR ? p - 1 : p;
          }
          cell++;
          p++;
          complete = true;
          break;
        } else if (b === QUOTE && p === start) {
          quoted = true;
        }
        p++;
      }
      if (!complete) return rowStart;
      if (cell === 1 && ends[0] === starts[0]) {
        this.line++;
        continue; // an empty line
      }
      if (cell !== COLUMNS) throw new BadDataError(`${this.path}: line ${this.line} has ${cell} cells; ${PACKETS_SCHEMA_VERSION} rows have ${COLUMNS}`, HINT);
      this.fillMeta(buf);
      extraction.addPacket(this.meta, this.tsSec, this.tsNsec, this.wireLen);
      this.line++;
    }
  }

  private wireLen = 0;

  private fillMeta(buf: Buffer): void {
    const m = this.meta;
    const s = this.cellStart;
    const e = this.cellEnd;
    m.reset(this.scratch, -1);
    this.time(buf, s[C_TIME], e[C_TIME]);
    this.wireLen = this.int(buf, s[C_WIRE], e[C_WIRE], C_WIRE, UINT32_MAX);
    m.vlanId = this.int(buf, s[C_VLAN], e[C_VLAN], C_VLAN, 4095);
    m.status = this.status(buf, s[C_STATUS], e[C_STATUS]);
    const version = this.int(buf, s[C_VERSION], e[C_VERSION], C_VERSION, 15);
    if (version !== 4 && version !== 6) return;
    const v6 = version === 6;
    const srcAt = v6 ? V6_SRC : V4_SRC;
    const dstAt = v6 ? V6_DST : V4_DST;
    if (!this.address(buf, s[C_SRC], e[C_SRC], v6, srcAt, C_SRC) || !this.address(buf, s[C_DST], e[C_DST], v6, dstAt, C_DST)) return;
    m.ipVersion = version;
    m.srcAddrOffset = srcAt;
    m.dstAddrOffset = dstAt;
    m.ipProto = this.int(buf, s[C_PROTO], e[C_PROTO], C_PROTO, 255);
    m.ttl = this.int(buf, s[C_TTL], e[C_TTL], C_TTL, 255);
    m.ipLen = this.int(buf, s[C_IPLEN], e[C_IPLEN], C_IPLEN, IP_LEN_MAX);
    m.ipMoreFragments = this.int(buf, s[C_MF], e[C_MF], C_MF, 1);
    m.fragOffset = this.int(buf, s[C_FRAG], e[C_FRAG], C_FRAG, 65535);
    m.srcPort = this.int(buf, s[C_SPORT], e[C_SPORT], C_SPORT, 65535);
    m.dstPort = this.int(buf, s[C_DPORT], e[C_DPORT], C_DPORT, 65535);
    m.tcpFlags = this.int(buf, s[C_FLAGS], e[C_FLAGS], C_FLAGS, 4095);
    m.tcpSeq = this.int(buf, s[C_SEQ], e[C_SEQ], C_SEQ, UINT32_MAX);
    m.tcpAck = this.int(buf, s[C_ACK], e[C_ACK], C_ACK, UINT32_MAX);
    m.tcpWindow = this.int(buf, s[C_WINDOW], e[C_WINDOW], C_WINDOW, 65535);
    m.tcpOptionsLen = this.int(buf, s[C_OPTIONS], e[C_OPTIONS], C_OPTIONS, 40);
    m.payloadLen = this.int(buf, s[C_PAYLOAD], e[C_PAYLOAD], C_PAYLOAD, IP_LEN_MAX);
    m.icmpType = this.int(buf, s[C_ICMP_TYPE], e[C_ICMP_TYPE], C_ICMP_TYPE, 255);
    m.icmpCode = this.int(buf, s[C_ICMP_CODE], e[C_ICMP_CODE], C_ICMP_CODE, 255);
  }

  /**
   * A non-negative integer cell up to `max` (the field's width: a port 65535, a TTL 255...); -1 when empty
   * (absent, as packets.csv writes it). A value no packet can hold is a damaged cell: kept, it would overflow
   * the flow key (port 70000 became port 4464 and moved the other port) or the sums.
   */
  private int(buf: Buffer, s: number, e: number, column: number, max: number): number {
    if (s === e) return -1;
    let v = 0;
    for (let i = s; i < e; i++) {
      const d = buf[i] - ZERO;
      if (d < 0 || d > 9) throw this.cellError(buf, s, e, column, 'a whole number');
      v = v * 10 + d;
      if (v > max) throw this.cellError(buf, s, e, column, `a whole number from 0 to ${max}`);
    }
    return v;
  }

  /** "1793520000.002340000": whole seconds and up to 9 decimals, exactly. */
  private time(buf: Buffer, s: number, e: number): void {
    let sec = 0;
    let i = s;
    for (; i < e && buf[i] !== DOT; i++) {
      const d = buf[i] - ZERO;
      if (d < 0 || d > 9) throw this.cellError(buf, s, e, C_TIME, 'seconds since 1970 with up to 9 decimals');
      sec = sec * 10 + d;
      if (sec > MAX_EPOCH_S) throw this.cellError(buf, s, e, C_TIME, `seconds since 1970 up to ${MAX_EPOCH_S} with up to 9 decimals`);
    }
    let nsec = 0;
    let digits = 0;
    if (i < e) {
      for (i++; i < e; i++) {
        const d = buf[i] - ZERO;
        if (d < 0 || d > 9 || digits === 9) throw this.cellError(buf, s, e, C_TIME, 'seconds since 1970 with up to 9 decimals');
        nsec = nsec * 10 + d;
        digits++;
      }
    }
    if (s === e) throw this.cellError(buf, s, e, C_TIME, 'seconds since 1970 with up to 9 decimals');
    for (; digits < 9; digits++) nsec *= 10;
    this.tsSec = sec;
    this.tsNsec = nsec;
  }

  private status(buf: Buffer, s: number, e: number): DecodeStatus {
    for (let k = 0; k < STATUS_TEXT.length; k++) {
      const t = STATUS_TEXT[k];
      if (t.length !== e - s) continue;
      let same = true;
      for (let i = 0; i < t.length && same; i++) same = buf[s + i] === t[i];
      if (same) return k as DecodeStatus;
    }
    return DecodeStatus.ok;
  }

  /** Parses an address cell into the scratch buffer at `at`; false when the cell is empty. */
  private address(buf: Buffer, s: number, e: number, v6: boolean, at: number, column: number): boolean {
    if (s === e) return false;
    const out = this.scratch;
    if (!v6) {
      let octet = 0;
      let parts = 0;
      let digits = 0;
      for (let i = s; i <= e; i++) {
        const b = i < e ? buf[i] : DOT;
        if (b === DOT) {
          if (digits === 0 || octet > 255 || parts === 4) throw this.cellError(buf, s, e, column, 'an IPv4 address');
          out[at + parts++] = octet;
          octet = 0;
          digits = 0;
        } else {
          const d = b - ZERO;
          if (d < 0 || d > 9) throw this.cellError(buf, s, e, column, 'an IPv4 address');
          octet = octet * 10 + d;
          digits++;
        }
      }
      if (parts !== 4) throw this.cellError(buf, s, e, column, 'an IPv4 address');
      return true;
    }
    if (!parseIpv6(buf, s, e, out, at)) throw this.cellError(buf, s, e, column, 'an IPv6 address');
    return true;
  }

  private cellError(buf: Buffer, s: number, e: number, column: number, expected: string): BadDataError {
    return new BadDataError(
      `${this.path}: line ${this.line}, column ${PACKET_COLUMNS[column].name}: expected ${expected}, found "${buf.toString('latin1', s, Math.min(e, s + 60))}"`,
      HINT,
    );
  }
}

/** RFC 4291 text (with "::" and an embedded dotted quad) into 16 bytes at out[at..]; false when malformed. */
export function parseIpv6(buf: Uint8Array, s: number, e: number, out: Uint8Array, at: number): boolean {
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let count = 0;
  let gap = -1;
  let i = s;
  if (e - s >= 2 && buf[s] === COLON && buf[s + 1] === COLON) {
    gap = 0;
    i = s + 2;
  }
  while (i < e) {
    // an embedded IPv4 address ends the text
    let dot = -1;
    let j = i;
    while (j < e && buf[j] !== COLON) {
      if (buf[j] === DOT) dot = j;
      j++;
    }
    if (dot >= 0) {
      if (j !== e || count > 6) return false;
      const quad = new Uint8Array(4);
      let octet = 0;
      let parts = 0;
      let digits = 0;
      for (let k = i; k <= e; k++) {
        const b = k < e ? buf[k] : DOT;
        if (b === DOT) {
          if (digits === 0 || octet > 255 || parts === 4) return false;
          quad[parts++] = octet;
          octet = 0;
          digits = 0;
        } else {
          const d = b - ZERO;
          if (d < 0 || d > 9) return false;
          octet = octet * 10 + d;
          digits++;
        }
      }
      if (parts !== 4) return false;
      groups[count++] = (quad[0] << 8) | quad[1];
      groups[count++] = (quad[2] << 8) | quad[3];
      i = e;
      break;
    }
    if (j === i || j - i > 4 || count === 8) return false;
    let v = 0;
    for (let k = i; k < j; k++) {
      const h = hexValue(buf[k]);
      if (h < 0) return false;
      v = (v << 4) | h;
    }
    groups[count++] = v;
    if (j === e) {
      i = e;
      break;
    }
    // j is a colon: "::" marks the gap
    if (j + 1 < e && buf[j + 1] === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i = j + 2;
    } else {
      if (j + 1 === e) return false;
      i = j + 1;
    }
  }
  if (gap < 0 && count !== 8) return false;
  if (gap >= 0 && count > 7) return false;
  const full = [0, 0, 0, 0, 0, 0, 0, 0];
  if (gap < 0) {
    for (let k = 0; k < 8; k++) full[k] = groups[k];
  } else {
    for (let k = 0; k < gap; k++) full[k] = groups[k];
    const tail = count - gap;
    for (let k = 0; k < tail; k++) full[8 - tail + k] = groups[gap + k];
  }
  for (let k = 0; k < 8; k++) {
    out[at + 2 * k] = full[k] >> 8;
    out[at + 2 * k + 1] = full[k] & 0xff;
  }
  return true;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

/** Says which columns differ from packets/1's, naming the schema and the command that writes it. */
function headerError(path: string, header: string): BadDataError {
  const found = header.split(',');
  const expected = PACKET_CSV_HEADER.split(',');
  let detail: string;
  const first = expected.findIndex((name, i) => found[i] !== name);
  if (first >= 0) {
    detail = `column ${first + 1} is ${found[first] === undefined ? 'missing' : `"${found[first].slice(0, 40)}"`}, expected "${expected[first]}"`;
  } else {
    detail = `it has ${found.length} columns, expected ${expected.length}`;
  }
  return new BadDataError(
    `${path}: not a packets.csv of schema ${PACKETS_SCHEMA_VERSION}: ${detail} (expected the header "${PACKET_CSV_HEADER.slice(0, 60)}...")`,
    HINT,
  );
}
