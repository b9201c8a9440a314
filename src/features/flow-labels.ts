// The `label` column of --labels: ground truth for supervised training from rules instead of hand-edited
// CSVs. A rule names a class and any of: client/server address or CIDR, client/server port, protocol and a
// time window; a flow takes the class of the first rule whose every given field matches (addresses and
// ports as written in the row: src = client, dst = server), else `normal`. Matching works on the flow key's
// words, so it costs a few integer compares per rule and flow, no strings.

import { KEY_META_WORD, KEY_PORT_WORD } from '../flow/flow-key.js';
import type { EndReason } from '../flow/flow-table.js';
import type { FlowSlots } from '../flow/flow-slots.js';
import { DEFAULT_LABEL, LABEL_COLUMN } from '../schema/flow-columns.js';
import type { ColumnSpec } from '../schema/packet-columns.js';
import { ascii, CellFormat, type FlowFeatureGroup, type FlowRow } from './feature-group.js';

export interface AddressPattern {
  v6: boolean;
  /** the network's address words (IPv4 in words[0]) */
  words: Uint32Array;
  /** prefix length in bits (32 or 128 for a single address) */
  prefix: number;
}

export interface LabelRule {
  label: string;
  src?: AddressPattern;
  dst?: AddressPattern;
  srcPort?: number;
  dstPort?: number;
  /** IP protocol number */
  protocol?: number;
  /** window in seconds since 1970: a flow matches when [start_time, end_time] overlaps it */
  startEpochS?: number;
  endEpochS?: number;
}

/** Parses "10.0.0.0/8", "10.1.2.3", "2001:db8::/32" or "::1"; throws with a message naming the text. */
export function parseAddressPattern(text: string): AddressPattern {
  const [address, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) throw new Error(`"${text}" is not an address or CIDR`);
  const v6 = address.includes(':');
  const words = v6 ? ipv6Words(address, text) : ipv4Words(address, text);
  const max = v6 ? 128 : 32;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || prefixText === '') throw new Error(`"${text}": the prefix length must be 0..${max}`);
  for (let i = 0; i < 4; i++) words[i] = (words[i] & wordMask(prefix, i)) >>> 0;
  return { v6, words, prefix };
}

function ipv4Words(address: string, text: string): Uint32Array {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new Error(`"${text}" is not an IPv4 address or CIDR`);
  return Uint32Array.of(parts.reduce((w, p) => w * 256 + Number(p), 0), 0, 0, 0);
}

function ipv6Words(address: string, text: string): Uint32Array {
  const bad = () => new Error(`"${text}" is not an IPv6 address or CIDR`);
  const halves = address.split('::');
  if (halves.length > 2) throw bad();
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) throw bad();
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) throw bad();
  const n = groups.map((g) => parseInt(g, 16));
  return Uint32Array.of((n[0] * 65536 + n[1]) >>> 0, (n[2] * 65536 + n[3]) >>> 0, (n[4] * 65536 + n[5]) >>> 0, (n[6] * 65536 + n[7]) >>> 0);
}

/** the bits of word i (0..3) inside a prefix of `prefix` bits */
export function wordMask(prefix: number, i: number): number {
  const bits = Math.max(0, Math.min(32, prefix - 32 * i));
  return bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
}

/** True when the address in keys[at..] (IPv4 in keys[at]) lies in the pattern's network. */
export function matchesAddress(p: AddressPattern, v6: boolean, keys: Uint32Array, at: number): boolean {
  if (p.v6 !== v6) return false;
  const words = v6 ? 4 : 1;
  for (let i = 0; i < words; i++) {
    if (((keys[at + i] & wordMask(p.prefix, i)) >>> 0) !== p.words[i]) return false;
  }
  return true;
}

export class FlowLabelGroup implements FlowFeatureGroup {
  readonly columns: readonly ColumnSpec[];
  readonly formats = [CellFormat.text];
  readonly bytesPerFlow = 0;
  private readonly table: FlowSlots;
  private readonly rules: readonly LabelRule[];
  private readonly labels: Uint8Array[];
  private readonly defaultName: string;
  private readonly defaultLabel: Uint8Array;
  /** rows per rule, the last entry for the default class */
  private readonly counts: Float64Array;

  /** `column` and `defaultLabel`: CIC's ' Label' and BENIGN for --format cic, else label and normal. */
  constructor(table: FlowSlots, rules: readonly LabelRule[], column: ColumnSpec = LABEL_COLUMN, defaultLabel = DEFAULT_LABEL) {
    this.table = table;
    this.rules = rules;
    this.columns = [column];
    this.labels = rules.map((r) => ascii(r.label));
    this.defaultName = defaultLabel;
    this.defaultLabel = ascii(defaultLabel);
    this.counts = new Float64Array(rules.length + 1);
  }

  /** Rows written per class so far. */
  countsByClass(): Record<string, number> {
    const out: Record<string, number> = {};
    this.rules.forEach((r, i) => (out[r.label] = (out[r.label] ?? 0) + this.counts[i]));
    out[this.defaultName] = (out[this.defaultName] ?? 0) + this.counts[this.rules.length];
    return out;
  }

  open(): void {}

  write(slot: number, _reason: EndReason, row: FlowRow, at: number): void {
    this.label(this.match(slot), row, at);
  }

  /** Writes rule `rule`'s class (-1: the default class) into column `at` and counts it. */
  label(rule: number, row: FlowRow, at: number): void {
    this.counts[rule < 0 ? this.rules.length : rule]++;
    row.text(at, rule < 0 ? this.defaultLabel : this.labels[rule]);
  }

  /** Index of the first rule that matches the flow in `slot` over its first-to-last packet span, or -1. */
  match(slot: number): number {
    const t = this.table;
    return this.matchAt(slot, t.baseSec + t.firstNs(slot) / 1e9, t.baseSec + t.lastNs(slot) / 1e9);
  }

  /** Index of the first rule that matches the flow in `slot` at times [startS, endS] (epoch seconds), or -1. */
  matchAt(slot: number, startS: number, endS: number): number {
    const t = this.table;
    const keys = t.keyWords;
    const k = t.keyOffset(slot);
    const meta = keys[k + KEY_META_WORD];
    const v6 = meta >>> 31 === 1;
    const proto = meta & 0xff;
    const client = t.clientSide(slot);
    const clientAt = client === 0 ? k : k + 4;
    const serverAt = client === 0 ? k + 4 : k;
    const portWord = keys[k + KEY_PORT_WORD];
    const ports = proto === 6 || proto === 17 || proto === 132;
    const clientPort = ports ? (client === 0 ? portWord >>> 16 : portWord & 0xffff) : 0;
    const serverPort = ports ? (client === 0 ? portWord & 0xffff : portWord >>> 16) : 0;
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (r.protocol !== undefined && r.protocol !== proto) continue;
      if (r.dstPort !== undefined && r.dstPort !== serverPort) continue;
      if (r.srcPort !== undefined && r.srcPort !== clientPort) continue;
      if (r.startEpochS !== undefined && endS < r.startEpochS) continue;
      if (r.endEpochS !== undefined && startS > r.endEpochS) continue;
      if (r.src !== undefined && !matchesAddress(r.src, v6, keys, clientAt)) continue;
      if (r.dst !== undefined && !matchesAddress(r.dst, v6, keys, serverAt)) continue;
      return i;
    }
    return -1;
  }
}
