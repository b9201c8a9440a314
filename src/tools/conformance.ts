// `npm run conformance -- ../shared/corpus`: runs `netml capture --read` on every public capture in
// decode/ and malformed/ and compares packets.csv, packet by packet, with tshark's decoding of the same
// file (oracle/tshark/*.tsv). Fails on any crash, hang, count difference or field mismatch that
// conformance/known-differences.tsv does not list with a reason.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Papa from 'papaparse';

const HANG_SECONDS = 60;
const NETML = resolve(new URL('../../bin/netml.js', import.meta.url).pathname);
const KNOWN_DIFFERENCES = resolve(new URL('../../conformance/known-differences.tsv', import.meta.url).pathname);

type Row = Record<string, string>;

interface FileResult {
  file: string;
  set: 'decode' | 'malformed';
  netmlPackets: number;
  tsharkPackets: number;
  problems: string[];
  known: string[];
  warnings: number;
  decodeProblems: number;
  cutBySnapLength: number;
}

interface KnownDifference {
  file: string;
  field: string;
  reason: string;
}

function loadKnownDifferences(): KnownDifference[] {
  if (!existsSync(KNOWN_DIFFERENCES)) return [];
  return readFileSync(KNOWN_DIFFERENCES, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [file, field, reason] = l.split('\t');
      return { file, field, reason };
    });
}

function readTsv(path: string): Row[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    const row: Row = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    return row;
  });
}

/** The value of a multi-occurrence tshark field at occurrence k (outer first), or '' when absent. */
function nth(row: Row, field: string, k: number): string {
  const v = row[field];
  if (!v) return '';
  return v.split(',')[k] ?? '';
}

const IPV6_EXTENSIONS = new Set(['ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'ipv6.shim6', 'mipv6']);
const PROTO_NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58', sctp: '132', esp: '50', gre: '47', igmp: '2' };

/** Where the innermost IP layer and its transport sit in tshark's frame.protocols (ICMP-quoted packets excluded). */
function layering(protocols: string) {
  const tokens = protocols.split(':');
  let cut = tokens.findIndex((t) => t === 'icmp' || t === 'icmpv6');
  if (cut < 0) cut = tokens.length;
  let inner = -1;
  for (let i = 0; i < cut; i++) if (tokens[i] === 'ip' || tokens[i] === 'ipv6') inner = i;
  const count = (name: string, before: number) => tokens.slice(0, before).filter((t) => t === name).length;
  let transport = '';
  let transportIndex = -1;
  if (inner >= 0) {
    let j = inner + 1;
    while (j < tokens.length && IPV6_EXTENSIONS.has(tokens[j])) j++;
    if (j < tokens.length) {
      transport = tokens[j];
      transportIndex = j;
    }
  }
  return {
    ipKind: inner >= 0 ? tokens[inner] : '',
    ipOccurrence: inner >= 0 ? count(tokens[inner], inner) : -1,
    transport,
    transportOccurrence: transportIndex >= 0 ? count(transport, transportIndex) : -1,
    hasEth: tokens[0] === 'eth',
    // an ARP inside a tunnel (VXLAN) is the innermost packet, even though an outer IP header precedes it
    arpInnermost: tokens.lastIndexOf('arp') > inner,
  };
}

/** Compares one packet; returns [field, expected, actual] for each disagreement. */
function comparePacket(t: Row, n: Row): [string, string, string][] {
  const out: [string, string, string][] = [];
  const eq = (field: string, expected: string, actual: string) => {
    if (expected !== actual) out.push([field, expected, actual]);
  };
  // a pcapng simple packet block has no timestamp: tshark leaves it empty, netml writes 0 (documented)
  if (t['frame.time_epoch'] !== '' || n.time_epoch_s !== '0.000000000') eq('time_epoch_s', t['frame.time_epoch'], n.time_epoch_s);
  eq('wire_len_bytes', t['frame.len'], n.wire_len_bytes);
  eq('cap_len_bytes', t['frame.cap_len'], n.cap_len_bytes);
  if (t['frame.interface_id'] !== '') eq('interface_id', t['frame.interface_id'], n.interface_id);
  const L = layering(t['frame.protocols']);
  if (L.hasEth && t['eth.src']) {
    eq('eth_src', nth(t, 'eth.src', 0), n.eth_src);
    eq('eth_dst', nth(t, 'eth.dst', 0), n.eth_dst);
  }
  // tshark files an 802.1ad S-tag under ieee8021ad.id, so its first vlan.id may be our second tag
  if (t['vlan.id'] && nth(t, 'vlan.id', 0) !== n.vlan_inner_id) eq('vlan_id', nth(t, 'vlan.id', 0), n.vlan_id);
  if (L.arpInnermost) {
    eq('arp_op', t['arp.opcode'].split(',').pop() ?? '', n.arp_op);
    eq('src_addr', t['arp.src.proto_ipv4'].split(',').pop() ?? '', n.src_addr);
    eq('dst_addr', t['arp.dst.proto_ipv4'].split(',').pop() ?? '', n.dst_addr);
  } else if (L.ipKind === 'ip') {
    const k = L.ipOccurrence;
    eq('ip_version', '4', n.ip_version);
    eq('src_addr', nth(t, 'ip.src', k), n.src_addr);
    eq('dst_addr', nth(t, 'ip.dst', k), n.dst_addr);
    eq('ttl', nth(t, 'ip.ttl', k), n.ttl);
    eq('ip_len_bytes', nth(t, 'ip.len', k), n.ip_len_bytes);
    eq('ip_mf', nth(t, 'ip.flags.mf', k), n.ip_mf);
    const frag = nth(t, 'ip.frag_offset', k);
    eq('frag_offset_bytes', frag === '' ? '' : String(Number(frag) * 8), n.frag_offset_bytes);
    eq('ip_proto', nth(t, 'ip.proto', k), n.ip_proto);
  } else if (L.ipKind === 'ipv6') {
    const k = L.ipOccurrence;
    eq('ip_version', '6', n.ip_version);
    eq('src_addr', nth(t, 'ipv6.src', k), n.src_addr);
    eq('dst_addr', nth(t, 'ipv6.dst', k), n.dst_addr);
    const plen = nth(t, 'ipv6.plen', k);
    if (plen !== '' && plen !== '0') eq('ip_len_bytes', String(40 + Number(plen)), n.ip_len_bytes);
    const nxt = nth(t, 'ipv6.nxt', k);
    const expectedProto = ['0', '43', '44', '60', '51', '135'].includes(nxt) ? PROTO_NUMBERS[L.transport] : nxt;
    if (expectedProto !== undefined) eq('ip_proto', expectedProto, n.ip_proto);
  }
  // tshark reassembles IP fragments and shows the datagram's transport header on the last fragment; netml
  // decodes every packet on its own, so a non-first fragment has no transport fields
  const nonFirstFragment = n.frag_offset_bytes !== '' && n.frag_offset_bytes !== '0';
  const k = nonFirstFragment || L.arpInnermost ? -1 : L.transportOccurrence;
  if (k < 0) {
    // nothing to compare
  } else if (L.transport === 'tcp') {
    eq('src_port', nth(t, 'tcp.srcport', k), n.src_port);
    eq('dst_port', nth(t, 'tcp.dstport', k), n.dst_port);
    const flags = nth(t, 'tcp.flags', k);
    eq('tcp_flags', flags === '' ? '' : String(parseInt(flags, 16)), n.tcp_flags);
    eq('tcp_seq', nth(t, 'tcp.seq_raw', k), n.tcp_seq);
    eq('tcp_ack', nth(t, 'tcp.ack_raw', k), n.tcp_ack);
    eq('payload_bytes', nth(t, 'tcp.len', k), n.payload_bytes);
  } else if (L.transport === 'udp') {
    eq('src_port', nth(t, 'udp.srcport', k), n.src_port);
    eq('dst_port', nth(t, 'udp.dstport', k), n.dst_port);
  } else if (L.transport === 'icmp') {
    eq('icmp_type', nth(t, 'icmp.type', k), n.icmp_type);
    eq('icmp_code', nth(t, 'icmp.code', k), n.icmp_code);
  } else if (L.transport === 'icmpv6') {
    eq('icmp_type', nth(t, 'icmpv6.type', k), n.icmp_type);
    eq('icmp_code', nth(t, 'icmpv6.code', k), n.icmp_code);
  }
  return out;
}

function runFile(path: string, set: 'decode' | 'malformed', oracleDir: string, known: KnownDifference[], work: string): FileResult {
  const file = basename(path);
  const stem = file.replace(/\.(pcapng|pcap)$/, '');
  // tshark 4.0 lists pcapng custom blocks as frames (no interface, no time, protocol "data"); they hold no packet
  const oracleRows = readTsv(join(oracleDir, `${stem}.${set}.tsv`));
  const oracle = oracleRows.filter((r) => !(r['frame.interface_id'] === '' && r['frame.time_epoch'] === '' && r['frame.protocols'] === 'data' && file.endsWith('.pcapng')));
  const customBlocks = oracleRows.length - oracle.length;
  const csv = join(work, `${stem}.csv`);
  const result: FileResult = { file, set, netmlPackets: 0, tsharkPackets: oracle.length, problems: [], known: [], warnings: 0, decodeProblems: 0, cutBySnapLength: 0 };
  if (customBlocks > 0) result.known.push(`${customBlocks} pcapng custom blocks that tshark 4.0 lists as frames are not packets and were left out of the comparison`);
  const run = spawnSync('node', [NETML, 'capture', '--read', path, '--no-pcap', '-o', csv, '--json'], {
    encoding: 'utf8',
    timeout: HANG_SECONDS * 1000,
    maxBuffer: 64 << 20,
  });
  if (run.error || run.signal) {
    result.problems.push(`hang or crash: ${run.error?.message ?? run.signal}`);
    return result;
  }
  let rows: Row[] = [];
  if (run.status !== 0) {
    // a file with no readable packet at all (empty, unsupported link type) may be refused with a clear error
    if (oracle.length > 0 || run.status === 70 || !/netml: /.test(run.stderr)) {
      result.problems.push(`exit ${run.status}: ${run.stderr.trim().split('\n')[0]}`);
    } else {
      result.warnings = 1;
    }
    if (run.status !== 0 && !existsSync(csv)) return result;
  }
  if (run.status === 0) {
    const summary = JSON.parse(run.stdout) as { warnings: unknown[]; decodeProblems: { count: number }[]; cutBySnapLength: number };
    result.warnings = summary.warnings.length;
    result.cutBySnapLength = summary.cutBySnapLength;
    result.decodeProblems = summary.decodeProblems.reduce((s, p) => s + p.count, 0);
    rows = Papa.parse<Row>(readFileSync(csv, 'utf8'), { header: true, skipEmptyLines: true }).data;
  }
  result.netmlPackets = rows.length;
  const isKnown = (field: string) => known.find((k) => (k.file === file || k.file === '*') && k.field === field);
  const countOk = set === 'decode' ? rows.length === oracle.length : rows.length >= oracle.length;
  if (!countOk) {
    const k = isKnown('packets');
    (k ? result.known : result.problems).push(`packets: netml ${rows.length}, tshark ${oracle.length}${k ? ` (${k.reason})` : ''}`);
  }
  const mismatches = new Map<string, { count: number; example: string }>();
  for (let i = 0; i < Math.min(rows.length, oracle.length); i++) {
    for (const [field, expected, actual] of comparePacket(oracle[i], rows[i])) {
      const m = mismatches.get(field) ?? { count: 0, example: `packet ${i + 1}: tshark "${expected}", netml "${actual}"` };
      m.count++;
      mismatches.set(field, m);
    }
  }
  for (const [field, m] of mismatches) {
    const k = isKnown(field);
    (k ? result.known : result.problems).push(`${field}: ${m.count} packets differ, e.g. ${m.example}${k ? ` (known: ${k.reason})` : ''}`);
  }
  if (set === 'malformed' && result.warnings + result.decodeProblems + result.cutBySnapLength === 0 && !isKnown('warning')) {
    result.problems.push('no warning: the file is damaged but netml said nothing about it');
  }
  return result;
}

function main(): number {
  const corpus = resolve(process.argv[2] ?? '../shared/corpus');
  if (!existsSync(join(corpus, 'oracle', 'tshark'))) {
    process.stderr.write(`conformance: ${corpus} has no oracle/tshark folder; pass the corpus path, e.g. npm run conformance -- ../shared/corpus\n`);
    return 66;
  }
  const known = loadKnownDifferences();
  const work = mkdtempSync(join(tmpdir(), 'netml-conformance-'));
  const results: FileResult[] = [];
  try {
    for (const set of ['decode', 'malformed'] as const) {
      const dir = join(corpus, set);
      for (const name of readdirSync(dir).sort()) {
        if (!/\.(pcap|pcapng)$/.test(name)) continue;
        const r = runFile(join(dir, name), set, join(corpus, 'oracle', 'tshark'), known, work);
        results.push(r);
        const verdict = r.problems.length > 0 ? 'FAIL' : r.known.length > 0 ? 'known' : 'ok';
        const extra = set === 'malformed' ? `  warnings ${r.warnings}, decode problems ${r.decodeProblems}, cut by snap length ${r.cutBySnapLength}` : '';
        process.stdout.write(`${verdict.padEnd(5)} ${set}/${name}  packets ${r.netmlPackets}/${r.tsharkPackets}${extra}\n`);
        for (const p of r.problems) process.stdout.write(`        ${p}\n`);
        for (const p of r.known) process.stdout.write(`        ${p}\n`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const failed = results.filter((r) => r.problems.length > 0);
  process.stdout.write(
    `\nconformance: ${results.length} files, ${results.length - failed.length} agree with tshark (${results.filter((r) => r.known.length > 0).length} with known differences), ${failed.length} fail\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = main();
