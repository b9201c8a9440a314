// The host level (`netml extract --level host`): per source address and aligned time window (1 s, 10 s and
// 60 s by default), what the host sent and which answers it got. This is what makes scans, floods and brute
// force visible when every single flow looks ordinary: a scanner's distinct ports, a flood's SYN rate, a
// brute-forcer's failed connections.
//
// One row per (host, window size, window start) rather than one wide row per smallest window: each row
// describes one closed interval exactly (a wide row would need sliding 10 s / 60 s windows, i.e. per-host
// history or approximations), each row can be written as soon as its window ends, the state per host is one
// accumulator per window size, and `window_s` lets training pick one scale (`--windows 10`) for a table of
// like rows. Windows are aligned to multiples of their size in epoch time, so rows of different hosts line
// up and can be joined.
//
// Rows leave when they are complete: when the host's next packet (or answer) falls in a later window, when
// the host has been silent for longer than the largest window (a few hosts per packet, oldest first, so the
// cost is O(hosts expired)), or at the end of input (the last windows are then cut short by the input).
// A full table (--max-hosts) evicts its least recently seen host: its open windows are written early with
// evicted = 1 and counted. Rows are not sorted by time; sort by window_start_s when order matters.
//
// Answers (SYN-ACK, RST, ICMP unreachable sent *to* a host) are counted for hosts already in the table, in
// the window the answer arrives in: an attempt at 0.999 s answered at 1.001 s is failed in the first 1-s
// window and answered in the second (failed_conn_share then reads high for the first). At 10 s and 60 s this
// boundary effect is small; the documentation says so.

import type { PacketMeta } from '../decode/packet-meta.js';
import { AddressTable, ADDRESS_TABLE_BYTES_PER_SLOT, addressHash, mix32 } from '../flow/address-table.js';
import { HOST_COLUMNS } from '../schema/host-columns.js';
import { DEFAULT_LABEL, LABEL_COLUMN } from '../schema/flow-columns.js';
import type { ColumnSpec } from '../schema/packet-columns.js';
import { DistinctCounters } from './distinct-counter.js';
import { ascii, CellFormat, FlowRowLayout, repeat } from './feature-group.js';
import type { RowSink } from './flow-feature-set.js';
import { matchesAddress, type LabelRule } from './flow-labels.js';

const F = CellFormat;
const HOST_FORMATS: readonly CellFormat[] = [
  F.address,
  F.int,
  F.timestamp,
  F.int,
  F.int,
  F.decimal,
  F.decimal,
  F.decimal,
  ...repeat(F.int, 9),
  ...repeat(F.decimal, 3),
  ...repeat(F.int, 3),
  F.decimal,
  F.decimal,
  F.int,
];
/** Hosts whose windows all ended leave the table a few per packet (like idle flows). */
const EXPIRE_PER_PACKET = 8;
const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const SYN = 2;
const RST = 4;
const FIN = 1;
const ACK = 16;
/** keeps port hashes apart from small-integer patterns in the mixer */
const PORT_SALT = 0x6a09e667;
/** Longest window accepted: a day (windows are aligned in whole seconds). */
export const MAX_WINDOW_S = 86400;

export interface HostWindowsOptions {
  /** window sizes in whole seconds (default 1, 10, 60) */
  windowsS: readonly number[];
  /** hosts held at once; when full, the least recently seen is evicted */
  maxHosts: number;
  /** --labels rules; only rules on `src` and time apply to hosts (hostRuleProblem says why others do not) */
  rules?: readonly LabelRule[];
}

/** Bytes of state per host for `windows` window sizes, for sizing --max-hosts from a memory budget. */
export function hostBytesPerSlot(windows: number): number {
  // per window: index 8, bytes 8, 11 counters 44, two distinct counters
  return ADDRESS_TABLE_BYTES_PER_SLOT + 8 + windows * (8 + 8 + 44 + 2 * DistinctCounters.bytesPerCounter);
}

/** Why a --labels rule cannot apply to host rows (undefined when it can): hosts have a source and a time only. */
export function hostRuleProblem(rule: LabelRule): string | undefined {
  const unusable = [
    rule.dst !== undefined ? 'dst' : '',
    rule.srcPort !== undefined ? 'src_port' : '',
    rule.dstPort !== undefined ? 'dst_port' : '',
    rule.protocol !== undefined ? 'protocol' : '',
  ].filter((f) => f !== '');
  return unusable.length > 0 ? `uses ${unusable.join(', ')}, which host rows do not have` : undefined;
}

export class HostWindows {
  readonly columns: readonly ColumnSpec[];
  readonly formats: readonly CellFormat[];
  readonly layout: FlowRowLayout;
  readonly windowsS: readonly number[];
  readonly table: AddressTable;

  // summary counters
  ipPackets = 0;
  nonIpPackets = 0;
  timeBackwardsPackets = 0;
  rowsWritten = 0;
  /** hosts that left the table because it was full */
  hostsEvicted = 0;
  /** rows written before their window ended (evicted = 1) */
  rowsWrittenEarly = 0;
  readonly rowsByWindow: Float64Array;

  /** whole seconds of the first IP packet; times are ns after it */
  baseSec = NaN;
  clockNs = -Infinity;
  private lastInputNs = -Infinity;
  private readonly windows: number;
  private readonly windowNs: Float64Array;
  private readonly maxWindowNs: number;
  /** per window size: index of the window holding baseSec, and baseSec's offset into it in ns */
  private readonly baseIndex: Float64Array;
  private readonly baseOffsetNs: Float64Array;

  // per host
  private readonly lastNsOf: Float64Array;
  // per (host, window size): i = slot * windows + w
  /** index of the window being accumulated (start = index * window_s), NaN for none */
  private readonly windowIndex: Float64Array;
  private readonly packets: Uint32Array;
  private readonly bytes: Float64Array;
  private readonly tcp: Uint32Array;
  private readonly udp: Uint32Array;
  private readonly icmp: Uint32Array;
  private readonly syn: Uint32Array;
  private readonly synAck: Uint32Array;
  private readonly rst: Uint32Array;
  private readonly fin: Uint32Array;
  private readonly synAckIn: Uint32Array;
  private readonly rstIn: Uint32Array;
  private readonly unreachableIn: Uint32Array;
  private readonly dsts: DistinctCounters;
  private readonly ports: DistinctCounters;

  private readonly rules: readonly LabelRule[];
  private readonly labelTexts: Uint8Array[];
  private readonly defaultLabel = ascii(DEFAULT_LABEL);
  /** rows per usable rule, the last entry for the default class */
  private readonly labelCounts: Float64Array | undefined;
  private sink: RowSink | undefined;

  constructor(options: HostWindowsOptions) {
    const windowsS = [...new Set(options.windowsS)].sort((a, b) => a - b);
    if (windowsS.length === 0) throw new RangeError('at least one window size is needed');
    for (const w of windowsS) {
      if (!Number.isInteger(w) || w < 1 || w > MAX_WINDOW_S) throw new RangeError(`window sizes are whole seconds from 1 to ${MAX_WINDOW_S}, got ${w}`);
    }
    this.windowsS = windowsS;
    this.windows = windowsS.length;
    this.windowNs = Float64Array.from(windowsS, (w) => w * 1e9);
    this.maxWindowNs = windowsS[windowsS.length - 1] * 1e9;
    this.baseIndex = new Float64Array(this.windows);
    this.baseOffsetNs = new Float64Array(this.windows);
    this.rowsByWindow = new Float64Array(this.windows);

    const capacity = Math.floor(options.maxHosts);
    this.table = new AddressTable(capacity);
    const n = capacity * this.windows;
    this.lastNsOf = new Float64Array(capacity);
    this.windowIndex = new Float64Array(n).fill(NaN);
    this.packets = new Uint32Array(n);
    this.bytes = new Float64Array(n);
    this.tcp = new Uint32Array(n);
    this.udp = new Uint32Array(n);
    this.icmp = new Uint32Array(n);
    this.syn = new Uint32Array(n);
    this.synAck = new Uint32Array(n);
    this.rst = new Uint32Array(n);
    this.fin = new Uint32Array(n);
    this.synAckIn = new Uint32Array(n);
    this.rstIn = new Uint32Array(n);
    this.unreachableIn = new Uint32Array(n);
    this.dsts = new DistinctCounters(n);
    this.ports = new DistinctCounters(n);

    this.rules = (options.rules ?? []).filter((r) => hostRuleProblem(r) === undefined);
    this.labelTexts = this.rules.map((r) => ascii(r.label));
    const labelled = options.rules !== undefined;
    this.labelCounts = labelled ? new Float64Array(this.rules.length + 1) : undefined;
    this.columns = labelled ? [...HOST_COLUMNS, LABEL_COLUMN] : HOST_COLUMNS;
    this.formats = labelled ? [...HOST_FORMATS, F.text] : HOST_FORMATS;
    if (this.formats.length !== this.columns.length) throw new Error(`host level: ${this.columns.length} columns but ${this.formats.length} formats`);
    this.layout = new FlowRowLayout(this.formats);
  }

  attach(sink: RowSink): void {
    this.sink = sink;
  }

  /** true when the rows carry a label column (--labels) */
  get labelled(): boolean {
    return this.labelCounts !== undefined;
  }

  /** Rows written per class so far (with --labels). */
  countsByClass(): Record<string, number> {
    const out: Record<string, number> = {};
    const counts = this.labelCounts;
    if (!counts) return out;
    this.rules.forEach((r, i) => (out[r.label] = (out[r.label] ?? 0) + counts[i]));
    out[DEFAULT_LABEL] = (out[DEFAULT_LABEL] ?? 0) + counts[this.rules.length];
    return out;
  }

  /** Feeds one decoded packet; packets without an IP header are only counted. */
  process(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    if (meta.ipVersion === 0 || meta.srcAddrOffset < 0 || meta.dstAddrOffset < 0) {
      this.nonIpPackets++;
      return;
    }
    this.ipPackets++;
    if (this.baseSec !== this.baseSec) this.setBase(tsSec);
    const t = (tsSec - this.baseSec) * 1e9 + tsNsec;
    if (t < this.lastInputNs) this.timeBackwardsPackets++;
    this.lastInputNs = t;
    if (t > this.clockNs) this.clockNs = t;
    const table = this.table;
    const oldest = table.oldest();
    if (oldest >= 0 && table.touchNs[oldest] < this.clockNs - this.maxWindowNs) this.expire(EXPIRE_PER_PACKET);

    const bytes = meta.bytes;
    const v6 = meta.ipVersion === 6;
    table.setKey(bytes, meta.srcAddrOffset, v6);
    let slot = table.find();
    if (slot < 0) slot = this.addHost();
    else table.touch(slot, this.clockNs);
    let at = t;
    if (at < this.lastNsOf[slot]) at = this.lastNsOf[slot];
    this.lastNsOf[slot] = at;

    const d = meta.dstAddrOffset;
    const dstHash = v6
      ? addressHash(word(bytes, d), word(bytes, d + 4), word(bytes, d + 8), word(bytes, d + 12), 1)
      : addressHash(word(bytes, d), 0, 0, 0, 0);
    const proto = meta.ipProto;
    const hasPort = (proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP) && meta.dstPort >= 0;
    const portHash = hasPort ? mix32(meta.dstPort ^ PORT_SALT) : 0;
    const flags = proto === IPPROTO_TCP && meta.tcpFlags >= 0 ? meta.tcpFlags : 0;
    const isIcmp = proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6;

    const first = slot * this.windows;
    for (let w = 0; w < this.windows; w++) {
      const i = first + w;
      this.roll(slot, w, i, at);
      this.packets[i]++;
      this.bytes[i] += wireLen;
      this.dsts.add(i, dstHash);
      if (hasPort) this.ports.add(i, portHash);
      if (proto === IPPROTO_TCP) {
        this.tcp[i]++;
        if (flags !== 0) {
          if ((flags & SYN) !== 0) {
            if ((flags & ACK) === 0) this.syn[i]++;
            else this.synAck[i]++;
          }
          if ((flags & RST) !== 0) this.rst[i]++;
          if ((flags & FIN) !== 0) this.fin[i]++;
        }
      } else if (proto === IPPROTO_UDP) {
        this.udp[i]++;
      } else if (isIcmp) {
        this.icmp[i]++;
      }
    }

    // answers to the destination, if it is a host we track
    const answer = (flags & (SYN | ACK)) === (SYN | ACK) ? 1 : (flags & RST) !== 0 ? 2 : isIcmp && isUnreachable(meta, proto) ? 3 : 0;
    if (answer !== 0) this.countAnswer(bytes, d, v6, t, answer);
  }

  /**
   * Writes the rows of hosts still held (end of input), least recently seen first, at most `limit` hosts
   * per call (so a caller can let the output drain); true when none is left.
   */
  flush(limit = Infinity): boolean {
    const table = this.table;
    for (let n = 0; n < limit && table.oldest() >= 0; n++) {
      const slot = table.oldest();
      this.writeAll(slot, false);
      table.remove(slot);
    }
    return table.size === 0;
  }

  private setBase(tsSec: number): void {
    this.baseSec = tsSec;
    for (let w = 0; w < this.windows; w++) {
      const size = this.windowsS[w];
      const offset = ((tsSec % size) + size) % size;
      this.baseIndex[w] = (tsSec - offset) / size;
      this.baseOffsetNs[w] = offset * 1e9;
    }
  }

  /** Index of the window of size w that holds time t (ns after baseSec): exact integer arithmetic. */
  private windowOf(w: number, t: number): number {
    return this.baseIndex[w] + Math.floor((t + this.baseOffsetNs[w]) / this.windowNs[w]);
  }

  /** Makes accumulator i hold the window of time t, writing the one it held if that was another. */
  private roll(slot: number, w: number, i: number, t: number): void {
    const index = this.windowOf(w, t);
    const current = this.windowIndex[i];
    if (current === index) return;
    if (current === current) this.write(slot, w, i, false);
    this.windowIndex[i] = index;
    this.packets[i] = 0;
    this.bytes[i] = 0;
    this.tcp[i] = 0;
    this.udp[i] = 0;
    this.icmp[i] = 0;
    this.syn[i] = 0;
    this.synAck[i] = 0;
    this.rst[i] = 0;
    this.fin[i] = 0;
    this.synAckIn[i] = 0;
    this.rstIn[i] = 0;
    this.unreachableIn[i] = 0;
    this.dsts.clear(i);
    this.ports.clear(i);
  }

  private countAnswer(bytes: Uint8Array, at: number, v6: boolean, t: number, kind: number): void {
    const table = this.table;
    table.setKey(bytes, at, v6);
    const slot = table.find();
    if (slot < 0) return;
    table.touch(slot, this.clockNs);
    let time = t;
    if (time < this.lastNsOf[slot]) time = this.lastNsOf[slot];
    this.lastNsOf[slot] = time;
    const first = slot * this.windows;
    for (let w = 0; w < this.windows; w++) {
      const i = first + w;
      this.roll(slot, w, i, time);
      if (kind === 1) this.synAckIn[i]++;
      else if (kind === 2) this.rstIn[i]++;
      else this.unreachableIn[i]++;
    }
  }

  private addHost(): number {
    const table = this.table;
    if (table.size === table.capacity) {
      const oldest = table.oldest();
      // a host silent for longer than the largest window has only complete windows: that is expiry
      const complete = table.touchNs[oldest] < this.clockNs - this.maxWindowNs;
      this.writeAll(oldest, !complete);
      if (!complete) this.hostsEvicted++;
      table.remove(oldest);
    }
    const slot = table.insert(this.clockNs);
    this.lastNsOf[slot] = -Infinity;
    const first = slot * this.windows;
    for (let w = 0; w < this.windows; w++) this.windowIndex[first + w] = NaN;
    return slot;
  }

  /** Hosts silent for longer than the largest window: every window of theirs has ended. */
  private expire(budget: number): void {
    const table = this.table;
    const limit = this.clockNs - this.maxWindowNs;
    for (let n = 0; n < budget; n++) {
      const slot = table.oldest();
      if (slot < 0 || table.touchNs[slot] >= limit) return;
      this.writeAll(slot, false);
      table.remove(slot);
    }
  }

  private writeAll(slot: number, evicted: boolean): void {
    const first = slot * this.windows;
    for (let w = 0; w < this.windows; w++) {
      const i = first + w;
      if (this.windowIndex[i] === this.windowIndex[i]) this.write(slot, w, i, evicted);
      this.windowIndex[i] = NaN;
    }
  }

  private write(slot: number, w: number, i: number, evicted: boolean): void {
    const sink = this.sink;
    if (sink === undefined) throw new Error('HostWindows: attach a row sink before feeding packets');
    const row = sink.nextRow();
    const n = row.numbers;
    const size = this.windowsS[w];
    const startS = this.windowIndex[i] * size;
    const table = this.table;
    const v6 = table.isV6[slot] === 1;
    row.address(0, table.words, slot * 4, v6);
    n[1] = size;
    row.baseSec = startS;
    n[2] = 0;
    const packets = this.packets[i];
    const bytes = this.bytes[i];
    n[3] = packets;
    n[4] = bytes;
    n[5] = packets / size;
    n[6] = bytes / size;
    n[7] = packets > 0 ? bytes / packets : 0;
    n[8] = this.dsts.estimate(i);
    n[9] = this.ports.estimate(i);
    const tcp = this.tcp[i];
    const syn = this.syn[i];
    n[10] = tcp;
    n[11] = this.udp[i];
    n[12] = this.icmp[i];
    n[13] = syn;
    n[14] = this.synAck[i];
    n[15] = this.rst[i];
    n[16] = this.fin[i];
    n[17] = tcp > 0 ? syn / tcp : 0;
    n[18] = tcp > 0 ? this.synAck[i] / tcp : 0;
    n[19] = tcp > 0 ? this.rst[i] / tcp : 0;
    const answered = this.synAckIn[i];
    n[20] = answered;
    n[21] = this.rstIn[i];
    n[22] = this.unreachableIn[i];
    n[23] = syn / size;
    n[24] = syn > 0 ? (answered >= syn ? 0 : (syn - answered) / syn) : 0;
    // the window ends after the clock: the host left before it could be complete
    const early = evicted && (startS + size - this.baseSec) * 1e9 > this.clockNs;
    n[25] = early ? 1 : 0;
    if (early) this.rowsWrittenEarly++;
    if (this.labelCounts) {
      const rule = this.match(slot, v6, startS, size);
      this.labelCounts[rule < 0 ? this.rules.length : rule]++;
      row.text(26, rule < 0 ? this.defaultLabel : this.labelTexts[rule]);
    }
    sink.commit();
    this.rowsWritten++;
    this.rowsByWindow[w]++;
  }

  /** The first rule whose source and time window match the host's window, or -1. */
  private match(slot: number, v6: boolean, startS: number, sizeS: number): number {
    const rules = this.rules;
    const words = this.table.words;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      if (rule.startEpochS !== undefined && startS + sizeS <= rule.startEpochS) continue;
      if (rule.endEpochS !== undefined && startS > rule.endEpochS) continue;
      if (rule.src !== undefined && !matchesAddress(rule.src, v6, words, slot * 4)) continue;
      return r;
    }
    return -1;
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** ICMP destination unreachable (type 3) or ICMPv6 destination unreachable (type 1). */
function isUnreachable(meta: PacketMeta, proto: number): boolean {
  return proto === IPPROTO_ICMP ? meta.icmpType === 3 : meta.icmpType === 1;
}
