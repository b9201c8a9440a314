// --format cic: CICFlowMeter's 84 feature columns (CIC-IDS2017's CSV header) from netml's flow table, with
// CICFlowMeter's definitions (payload "packet lengths", transport header lengths, microseconds, its bulk,
// subflow and active/idle rules) and without its bugs. The flows themselves are netml's: a TCP flow ends
// on RST or on both FINs acknowledged (not the first FIN), timeouts are idle and active separately (not
// "120 s from the start"), single-packet flows are kept, IPv6 and every IP protocol are metered. The
// behaviour of each column, and where it differs from the public CSVs, is in src/schema/cic-columns.ts
// and docs/extract.md.
//
// State lives in one Float64Array with a fixed stride per flow slot, so a flow's ~650 bytes of statistics
// sit together in memory; running statistics are Welford's (no per-packet arrays), times are ns since the
// table's base, written as microseconds.

import type { PacketMeta } from '../decode/packet-meta.js';
import { isIcmpQueryWord, KEY_META_WORD, KEY_PORT_WORD } from '../flow/flow-key.js';
import type { EndReason } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { CIC_FEATURE_COLUMNS } from '../schema/cic-columns.js';
import { ipv4Text, ipv6Text, uintText } from './address-text.js';
import { CellFormat, repeat, sampleStd, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

/** Text cells hold the Flow ID: two IPv6 addresses (39 each), two ports, a protocol and 4 dashes. */
export const CIC_TEXT_BYTES = 104;
/** CICFlowMeter's activity timeout: gaps longer than this split active periods */
const ACTIVITY_GAP_NS = 5e9;
/** CICFlowMeter's subflow and bulk gap */
const SUBFLOW_GAP_NS = 1e9;
const BULK_GAP_NS = 1e9;
const BULK_MIN_PACKETS = 4;

// per-side fields (two sides per flow, side = flow-key side)
const PKTS = 0;
const PSUM = 1;
const PMIN = 2;
const PMAX = 3;
const PMEAN = 4;
const PM2 = 5;
const HSUM = 6;
const HMIN = 7;
const FIRST = 8;
const LAST = 9;
const IMIN = 10;
const IMAX = 11;
const IMEAN = 12;
const IM2 = 13;
const PSH = 14;
const URG = 15;
const WIN = 16;
const ACT = 17;
const B_START = 18;
const B_LAST = 19;
const B_COUNT = 20;
const B_SIZE = 21;
const B_STATES = 22;
const B_PACKETS = 23;
const B_BYTES = 24;
const B_DURATION = 25;
const SIDE = 26;
// per-flow fields, after the two sides
const FL = 2 * SIDE;
const FI_MIN = FL;
const FI_MAX = FL + 1;
const FI_MEAN = FL + 2;
const FI_M2 = FL + 3;
const L_MIN = FL + 4;
const L_MAX = FL + 5;
const L_MEAN = FL + 6;
const L_M2 = FL + 7;
const FLAGS = FL + 8; // 8 counts: FIN SYN RST PSH ACK URG CWR ECE
const SUBFLOWS = FL + 16;
const ACTIVE_START = FL + 17;
const A_N = FL + 18;
const A_MIN = FL + 19;
const A_MAX = FL + 20;
const A_MEAN = FL + 21;
const A_M2 = FL + 22;
const I_N = FL + 23;
const I_MIN = FL + 24;
const I_MAX = FL + 25;
const I_MEAN = FL + 26;
const I_M2 = FL + 27;
const STRIDE = FL + 28;

const F = CellFormat;
/** formats in CIC_FEATURE_COLUMNS order */
const CIC_FORMATS: readonly CellFormat[] = [
  F.text, // Flow ID
  F.address,
  F.int,
  F.address,
  F.int,
  F.int, // Protocol
  F.text, // Timestamp
  F.decimal, // Flow Duration (us)
  ...repeat(F.int, 4), // packets, payload totals
  F.int,
  F.int,
  F.decimal,
  F.decimal, // Fwd length max min mean std
  F.int,
  F.int,
  F.decimal,
  F.decimal, // Bwd
  ...repeat(F.decimal, 6), // Flow Bytes/s .. Flow IAT Min
  ...repeat(F.decimal, 10), // Fwd/Bwd IAT
  ...repeat(F.int, 6), // PSH/URG flags, header lengths
  F.decimal,
  F.decimal, // Fwd/Bwd Packets/s
  F.int,
  F.int,
  ...repeat(F.decimal, 3), // packet length min max mean std variance
  ...repeat(F.int, 8), // flag counts
  ...repeat(F.decimal, 4), // Down/Up, Average Packet Size, Avg Fwd/Bwd Segment Size
  F.int, // Fwd Header Length again
  ...repeat(F.decimal, 6), // bulk
  ...repeat(F.decimal, 4), // subflows
  ...repeat(F.int, 4), // init windows, act_data_pkt_fwd, min_seg_size_forward
  ...repeat(F.decimal, 8), // active, idle
];

const DASH = 0x2d;
const SPACE = 0x20;
const SLASH = 0x2f;
const COLON = 0x3a;
const ZERO = 0x30;

export class CicFlowGroup implements FlowFeatureGroup {
  readonly columns = CIC_FEATURE_COLUMNS;
  readonly formats = CIC_FORMATS;
  readonly bytesPerFlow = STRIDE * 8;
  private readonly table: FlowSlots;
  private readonly s: Float64Array;
  private readonly text = new Uint8Array(CIC_TEXT_BYTES);
  private readonly groups = new Uint16Array(8);

  constructor(table: FlowSlots) {
    if (CIC_FORMATS.length !== CIC_FEATURE_COLUMNS.length) throw new Error(`cic: ${CIC_FEATURE_COLUMNS.length} columns but ${CIC_FORMATS.length} formats`);
    this.table = table;
    this.s = new Float64Array(table.capacity * STRIDE);
  }

  open(slot: number): void {
    const s = this.s;
    const b = slot * STRIDE;
    s.fill(0, b, b + STRIDE);
    for (let side = 0; side < 2; side++) {
      const d = b + side * SIDE;
      s[d + WIN] = -1;
      s[d + B_START] = NaN;
      s[d + B_LAST] = NaN;
    }
    s[b + SUBFLOWS] = 1;
    s[b + ACTIVE_START] = this.table.firstNs(slot);
  }

  update(slot: number, side: number, meta: PacketMeta, timeNs: number): void {
    const s = this.s;
    const b = slot * STRIDE;
    const d = b + side * SIDE;
    const payload = meta.payloadLen > 0 ? meta.payloadLen : 0;
    const header = transportHeaderBytes(meta);
    const previous = this.table.lastNs(slot);
    const total = this.table.packets(slot); // this packet included

    // the flow: inter-arrival times, payload sizes, subflows, active/idle periods
    if (total === 1) {
      s[b + L_MIN] = payload;
      s[b + L_MAX] = payload;
      s[b + L_MEAN] = payload;
    } else {
      const iat = timeNs - previous;
      welford(s, b + FI_MIN, total - 1, iat);
      if (payload < s[b + L_MIN]) s[b + L_MIN] = payload;
      if (payload > s[b + L_MAX]) s[b + L_MAX] = payload;
      const mean = s[b + L_MEAN];
      const delta = payload - mean;
      const next = mean + delta / total;
      s[b + L_MEAN] = next;
      s[b + L_M2] += delta * (payload - next);
      if (iat > SUBFLOW_GAP_NS) s[b + SUBFLOWS]++;
      if (iat > ACTIVITY_GAP_NS) {
        const active = previous - s[b + ACTIVE_START];
        if (active > 0) welford(s, b + A_MIN, ++s[b + A_N], active);
        welford(s, b + I_MIN, ++s[b + I_N], iat);
        s[b + ACTIVE_START] = timeNs;
      }
    }

    // this direction
    const n = ++s[d + PKTS];
    s[d + PSUM] += payload;
    s[d + HSUM] += header;
    if (payload > 0) s[d + ACT]++;
    if (n === 1) {
      s[d + PMIN] = payload;
      s[d + PMAX] = payload;
      s[d + PMEAN] = payload;
      s[d + HMIN] = header;
      s[d + FIRST] = timeNs;
    } else {
      if (payload < s[d + PMIN]) s[d + PMIN] = payload;
      if (payload > s[d + PMAX]) s[d + PMAX] = payload;
      const mean = s[d + PMEAN];
      const delta = payload - mean;
      const next = mean + delta / n;
      s[d + PMEAN] = next;
      s[d + PM2] += delta * (payload - next);
      if (header < s[d + HMIN]) s[d + HMIN] = header;
      welford(s, d + IMIN, n - 1, timeNs - s[d + LAST]);
    }
    s[d + LAST] = timeNs;

    const f = meta.ipProto === 6 ? meta.tcpFlags : -1;
    if (f >= 0) {
      if (s[d + WIN] < 0) s[d + WIN] = meta.tcpWindow;
      if (f & 8) s[d + PSH]++;
      if (f & 32) s[d + URG]++;
      if ((f & 0xff) !== 0) {
        const c = b + FLAGS;
        if (f & 1) s[c]++;
        if (f & 2) s[c + 1]++;
        if (f & 4) s[c + 2]++;
        if (f & 8) s[c + 3]++;
        if (f & 16) s[c + 4]++;
        if (f & 32) s[c + 5]++;
        if (f & 128) s[c + 6]++;
        if (f & 64) s[c + 7]++;
      }
    }
    this.bulk(d, b + (side ^ 1) * SIDE, payload, timeNs);
  }

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    const t = this.table;
    const s = this.s;
    const b = slot * STRIDE;
    const client = t.clientSide(slot);
    const fwd = b + client * SIDE;
    const bwd = b + (client ^ 1) * SIDE;
    const n = row.numbers;
    const keys = t.keyWords;
    const k = t.keyOffset(slot);
    const metaWord = keys[k + KEY_META_WORD];
    const v6 = metaWord >>> 31 === 1;
    const proto = metaWord & 0xff;
    const portWord = keys[k + KEY_PORT_WORD];
    const hasPorts = (proto === 6 || proto === 17 || proto === 132) && !isIcmpQueryWord(portWord);
    const portA = hasPorts ? portWord >>> 16 : 0;
    const portB = hasPorts ? portWord & 0xffff : 0;
    const clientAt = client === 0 ? k : k + 4;
    const serverAt = client === 0 ? k + 4 : k;
    const clientPort = client === 0 ? portA : portB;
    const serverPort = client === 0 ? portB : portA;
    const firstNs = t.firstNs(slot);
    const lastNs = t.lastNs(slot);
    const durationNs = lastNs - firstNs;

    this.flowId(row, at, keys, clientAt, serverAt, v6, clientPort, serverPort, proto);
    row.address(at + 1, keys, clientAt, v6);
    n[at + 2] = clientPort;
    row.address(at + 3, keys, serverAt, v6);
    n[at + 4] = serverPort;
    n[at + 5] = proto;
    this.timestamp(row, at + 6, t.baseSec + Math.floor(firstNs / 1e9));
    n[at + 7] = durationNs / 1000;
    const fp = s[fwd + PKTS];
    const bp = s[bwd + PKTS];
    const packets = fp + bp;
    const fBytes = s[fwd + PSUM];
    const bBytes = s[bwd + PSUM];
    n[at + 8] = fp;
    n[at + 9] = bp;
    n[at + 10] = fBytes;
    n[at + 11] = bBytes;
    lengths(s, fwd, n, at + 12);
    lengths(s, bwd, n, at + 16);
    const perS = durationNs > 0 ? 1e9 / durationNs : 0;
    n[at + 20] = (fBytes + bBytes) * perS;
    n[at + 21] = packets * perS;
    if (packets > 1) {
      n[at + 22] = s[b + FI_MEAN] / 1000;
      n[at + 23] = sampleStd(s[b + FI_M2], packets - 1) / 1000;
      n[at + 24] = s[b + FI_MAX] / 1000;
      n[at + 25] = s[b + FI_MIN] / 1000;
    } else {
      n[at + 22] = n[at + 23] = n[at + 24] = n[at + 25] = 0;
    }
    directionIat(s, fwd, n, at + 26);
    directionIat(s, bwd, n, at + 31);
    n[at + 36] = s[fwd + PSH];
    n[at + 37] = s[bwd + PSH];
    n[at + 38] = s[fwd + URG];
    n[at + 39] = s[bwd + URG];
    n[at + 40] = s[fwd + HSUM];
    n[at + 41] = s[bwd + HSUM];
    n[at + 42] = fp * perS;
    n[at + 43] = bp * perS;
    n[at + 44] = s[b + L_MIN];
    n[at + 45] = s[b + L_MAX];
    n[at + 46] = s[b + L_MEAN];
    const std = sampleStd(s[b + L_M2], packets);
    n[at + 47] = std;
    n[at + 48] = std * std;
    for (let f = 0; f < 8; f++) n[at + 49 + f] = s[b + FLAGS + f];
    n[at + 57] = fp > 0 ? bp / fp : 0;
    n[at + 58] = packets > 0 ? (fBytes + bBytes) / packets : 0;
    n[at + 59] = fp > 0 ? fBytes / fp : 0;
    n[at + 60] = bp > 0 ? bBytes / bp : 0;
    n[at + 61] = s[fwd + HSUM];
    bulkAverages(s, fwd, n, at + 62);
    bulkAverages(s, bwd, n, at + 65);
    const subflows = s[b + SUBFLOWS];
    n[at + 68] = fp / subflows;
    n[at + 69] = fBytes / subflows;
    n[at + 70] = bp / subflows;
    n[at + 71] = bBytes / subflows;
    n[at + 72] = s[fwd + WIN];
    n[at + 73] = s[bwd + WIN];
    n[at + 74] = s[fwd + ACT];
    n[at + 75] = fp > 0 ? s[fwd + HMIN] : 0;
    // the last active period ends with the flow
    const lastActive = lastNs - s[b + ACTIVE_START];
    if (lastActive > 0) welford(s, b + A_MIN, ++s[b + A_N], lastActive);
    periods(s, b + A_MIN, s[b + A_N], n, at + 76);
    periods(s, b + I_MIN, s[b + I_N], n, at + 80);
  }

  /** CICFlowMeter's bulk rule (BasicFlow.updateForwardBulk), applied to the packet's own direction. */
  private bulk(d: number, other: number, payload: number, t: number): void {
    const s = this.s;
    // a payload from the other side since this side's candidate bulk began breaks it
    if (s[other + B_LAST] > s[d + B_START]) s[d + B_START] = NaN;
    if (payload <= 0) return;
    if (s[d + B_START] !== s[d + B_START] || t - s[d + B_LAST] > BULK_GAP_NS) {
      s[d + B_START] = t;
      s[d + B_LAST] = t;
      s[d + B_COUNT] = 1;
      s[d + B_SIZE] = payload;
      return;
    }
    const count = ++s[d + B_COUNT];
    s[d + B_SIZE] += payload;
    if (count === BULK_MIN_PACKETS) {
      s[d + B_STATES]++;
      s[d + B_PACKETS] += count;
      s[d + B_BYTES] += s[d + B_SIZE];
      s[d + B_DURATION] += t - s[d + B_START];
    } else if (count > BULK_MIN_PACKETS) {
      s[d + B_PACKETS]++;
      s[d + B_BYTES] += payload;
      s[d + B_DURATION] += t - s[d + B_LAST];
    }
    s[d + B_LAST] = t;
  }

  private flowId(row: FlowRow, column: number, keys: Uint32Array, clientAt: number, serverAt: number, v6: boolean, clientPort: number, serverPort: number, proto: number): void {
    const buf = this.text;
    let p = v6 ? ipv6Text(buf, 0, keys, clientAt, this.groups) : ipv4Text(buf, 0, keys[clientAt]);
    buf[p++] = DASH;
    p = v6 ? ipv6Text(buf, p, keys, serverAt, this.groups) : ipv4Text(buf, p, keys[serverAt]);
    buf[p++] = DASH;
    p = uintText(buf, p, clientPort);
    buf[p++] = DASH;
    p = uintText(buf, p, serverPort);
    buf[p++] = DASH;
    p = uintText(buf, p, proto);
    row.text(column, buf, p);
  }

  /** dd/MM/yyyy hh:mm:ss AM|PM in UTC (CICFlowMeter 4's format, there in local time). */
  private timestamp(row: FlowRow, column: number, epochS: number): void {
    const days = Math.floor(epochS / 86400);
    let rest = epochS - days * 86400;
    const hour = Math.floor(rest / 3600);
    rest -= hour * 3600;
    const minute = Math.floor(rest / 60);
    const second = rest - minute * 60;
    const [year, month, day] = civilFromDays(days);
    const buf = this.text;
    let p = two(buf, 0, day);
    buf[p++] = SLASH;
    p = two(buf, p, month);
    buf[p++] = SLASH;
    p = uintText(buf, p, year);
    buf[p++] = SPACE;
    p = two(buf, p, hour % 12 === 0 ? 12 : hour % 12);
    buf[p++] = COLON;
    p = two(buf, p, minute);
    buf[p++] = COLON;
    p = two(buf, p, second);
    buf[p++] = SPACE;
    buf[p++] = hour < 12 ? 0x41 : 0x50; // A or P
    buf[p++] = 0x4d; // M
    row.text(column, buf, p);
  }
}

/** The CIC groups of --format cic (the label group is appended by the extraction). */
export function cicFlowGroups(table: FlowSlots): FlowFeatureGroup[] {
  return [new CicFlowGroup(table)];
}

/** CICFlowMeter's header bytes: the transport header (TCP with options, UDP and ICMP 8), 0 for the rest. */
function transportHeaderBytes(meta: PacketMeta): number {
  const proto = meta.ipProto;
  if (proto === 6) return meta.tcpOptionsLen >= 0 ? 20 + meta.tcpOptionsLen : 0;
  if (proto === 17 || proto === 1 || proto === 58) return meta.payloadLen >= 0 ? 8 : 0;
  return 0;
}

/** Welford update of [min, max, mean, m2] at s[at..at+3] with the count-th value v. */
function welford(s: Float64Array, at: number, count: number, v: number): void {
  if (count === 1) {
    s[at] = v;
    s[at + 1] = v;
    s[at + 2] = v;
    s[at + 3] = 0;
    return;
  }
  if (v < s[at]) s[at] = v;
  if (v > s[at + 1]) s[at + 1] = v;
  const mean = s[at + 2];
  const delta = v - mean;
  const next = mean + delta / count;
  s[at + 2] = next;
  s[at + 3] += delta * (v - next);
}

/** Max, min, mean, std of a direction's payloads (CIC's order); zeros when it sent nothing. */
function lengths(s: Float64Array, d: number, n: Float64Array, at: number): void {
  const packets = s[d + PKTS];
  if (packets === 0) {
    n[at] = n[at + 1] = n[at + 2] = n[at + 3] = 0;
    return;
  }
  n[at] = s[d + PMAX];
  n[at + 1] = s[d + PMIN];
  n[at + 2] = s[d + PMEAN];
  n[at + 3] = sampleStd(s[d + PM2], packets);
}

/** Total, mean, std, max, min of a direction's inter-arrival times in us; zeros below 2 packets. */
function directionIat(s: Float64Array, d: number, n: Float64Array, at: number): void {
  const packets = s[d + PKTS];
  if (packets < 2) {
    n[at] = n[at + 1] = n[at + 2] = n[at + 3] = n[at + 4] = 0;
    return;
  }
  n[at] = (s[d + LAST] - s[d + FIRST]) / 1000;
  n[at + 1] = s[d + IMEAN] / 1000;
  n[at + 2] = sampleStd(s[d + IM2], packets - 1) / 1000;
  n[at + 3] = s[d + IMAX] / 1000;
  n[at + 4] = s[d + IMIN] / 1000;
}

function bulkAverages(s: Float64Array, d: number, n: Float64Array, at: number): void {
  const states = s[d + B_STATES];
  const seconds = s[d + B_DURATION] / 1e9;
  n[at] = states > 0 ? s[d + B_BYTES] / states : 0;
  n[at + 1] = states > 0 ? s[d + B_PACKETS] / states : 0;
  n[at + 2] = seconds > 0 ? s[d + B_BYTES] / seconds : 0;
}

/** Mean, std, max, min (us) of Welford state [min, max, mean, m2] at s[at..]; zeros when empty. */
function periods(s: Float64Array, at: number, count: number, n: Float64Array, c: number): void {
  if (count === 0) {
    n[c] = n[c + 1] = n[c + 2] = n[c + 3] = 0;
    return;
  }
  n[c] = s[at + 2] / 1000;
  n[c + 1] = sampleStd(s[at + 3], count) / 1000;
  n[c + 2] = s[at + 1] / 1000;
  n[c + 3] = s[at] / 1000;
}

function two(buf: Uint8Array, p: number, v: number): number {
  buf[p] = ZERO + ((v / 10) | 0);
  buf[p + 1] = ZERO + (v % 10);
  return p + 2;
}

/** Year, month, day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}
