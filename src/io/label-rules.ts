// Reads the --labels rules file: JSON (an array of rules, or {"default": "normal", "rules": [...]}) or CSV (a
// header naming the same fields; an empty cell means "any"). Every problem is reported with the rule's number
// and field. The first rule that matches a row gives its class; "default" is the class of rows no rule
// matches (without it: normal, or BENIGN for --format cic), kept as a last rule that matches everything.
//
//   [{ "class": "syn-flood", "src": "10.0.0.66", "dst": "10.0.0.0/24", "dst_port": 80, "protocol": "tcp",
//      "start": "2026-11-01T08:45:00Z", "end": 1793524500 }]
//
//   class,src,dst,src_port,dst_port,protocol,start,end
//   port-scan,10.0.0.66,,,,tcp,2026-11-01T08:30:00Z,2026-11-01T08:31:00Z

import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { BadDataError, inputFileError, LABEL_RULES_INPUT } from '../errors.js';
import { parseAddressPattern, type LabelRule } from '../features/flow-labels.js';

export const RULE_FIELDS = ['class', 'src', 'dst', 'src_port', 'dst_port', 'protocol', 'start', 'end'] as const;
const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, sctp: 132, gre: 47, esp: 50, ah: 51, igmp: 2 };
const HINT = `rules are JSON ([{"class": "attack", "src": "10.0.0.66", "dst_port": 80}]) or CSV with the header ${RULE_FIELDS.join(',')}; see docs/extract.md`;

export function readLabelRules(path: string): LabelRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputFileError(path, err, LABEL_RULES_INPUT);
  }
  return parseLabelRules(text, path);
}

export function parseLabelRules(text: string, source: string): LabelRule[] {
  // editors on Windows start UTF-8 files with a byte-order mark, which JSON.parse refuses
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trimStart();
  if (trimmed === '') throw new BadDataError(`${source}: the file is empty: it holds no rules`, HINT);
  let records: Record<string, unknown>[];
  let defaultClass: string | undefined;
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new BadDataError(`${source}: not valid JSON: ${(err as Error).message}`, HINT);
    }
    let list: unknown = json;
    if (!Array.isArray(json) && typeof json === 'object' && json !== null) {
      const { rules, default: fallback, ...rest } = json as Record<string, unknown>;
      const unknown = Object.keys(rest);
      if (unknown.length > 0) throw new BadDataError(`${source}: unknown key ${unknown.map((u) => `"${u}"`).join(', ')} (a rules file holds "default" and "rules")`, HINT);
      list = rules;
      if (fallback !== undefined) defaultClass = className(fallback, `${source}: "default"`);
    }
    if (!Array.isArray(list)) throw new BadDataError(`${source}: expected an array of rules or {"rules": [...]}`, HINT);
    records = list.map((r, i) => {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new BadDataError(`${source}: rule ${i + 1} is not an object`, HINT);
      return r as Record<string, unknown>;
    });
  } else {
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true, transformHeader: (h) => h.trim() });
    const unknown = (parsed.meta.fields ?? []).filter((f) => !(RULE_FIELDS as readonly string[]).includes(f));
    if (unknown.length > 0) throw new BadDataError(`${source}: unknown column ${unknown.map((u) => `"${u}"`).join(', ')}`, HINT);
    records = parsed.data.map((row) => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined && String(v).trim() !== '')));
  }
  const rules = records.map((r, i) => toRule(r, `${source}: rule ${i + 1}`));
  if (defaultClass !== undefined) rules.push({ label: defaultClass });
  return rules;
}

function className(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadDataError(`${where} must name the class`, HINT);
  if (!/^[A-Za-z0-9_.:+-]+$/.test(value.trim())) throw new BadDataError(`${where}: class "${value}" may hold letters, digits and _ . : + - only`, HINT);
  return value.trim();
}

function toRule(r: Record<string, unknown>, where: string): LabelRule {
  for (const key of Object.keys(r)) {
    if (!(RULE_FIELDS as readonly string[]).includes(key)) throw new BadDataError(`${where}: unknown field "${key}"`, HINT);
  }
  const rule: LabelRule = { label: className(r.class, `${where}: "class"`) };
  const field = (name: string, parse: (v: string) => void) => {
    const v = r[name];
    if (v === undefined || v === null || v === '') return;
    // JSON: a string or a number; String() would turn [80] into "80" and {} into "[object Object]"
    if (typeof v !== 'string' && typeof v !== 'number') throw new BadDataError(`${where}: ${name}: expected a string or a number, got ${JSON.stringify(v)}`, HINT);
    try {
      parse(String(v).trim());
    } catch (err) {
      throw new BadDataError(`${where}: ${name}: ${(err as Error).message}`, HINT);
    }
  };
  field('src', (v) => (rule.src = parseAddressPattern(v)));
  field('dst', (v) => (rule.dst = parseAddressPattern(v)));
  field('src_port', (v) => (rule.srcPort = port(v)));
  field('dst_port', (v) => (rule.dstPort = port(v)));
  field('protocol', (v) => (rule.protocol = protocol(v)));
  field('start', (v) => (rule.startEpochS = time(v)));
  field('end', (v) => (rule.endEpochS = time(v)));
  if (rule.startEpochS !== undefined && rule.endEpochS !== undefined && rule.endEpochS < rule.startEpochS) {
    throw new BadDataError(`${where}: end is before start`, HINT);
  }
  return rule;
}

function port(v: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : NaN; // not Number(): "0x50", "8e1" are no port numbers
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`expected a port 0..65535, got "${v}"`);
  return n;
}

function protocol(v: string): number {
  const named = PROTOCOLS[v.toLowerCase()];
  if (named !== undefined) return named;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`expected ${Object.keys(PROTOCOLS).join(', ')} or a number 0..255, got "${v}"`);
  return n;
}

/** Seconds since 1970, or an ISO 8601 date (with a zone, or read as UTC). */
function time(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`expected seconds since 1970 or an ISO 8601 date, got "${v}"`);
  return ms / 1000;
}
