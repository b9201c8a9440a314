// `netml detect --packets` and `--export-pcap` end to end through main(argv), on small captures built packet
// by packet: one row per packet carrying exactly its flow's verdict from detections.csv (a 5-tuple reused
// after RST, FIN and the idle timeout is several flows, each packet in the right one; flows evicted by
// --max-flows and cut by --active-timeout too), the exported capture holds exactly the packets of the
// suspicious flows with their bytes, times and link types, and every refusal leaves nothing half-written.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { buildPcap, buildPcapng, readCapture, type ReadFrame } from '../helpers/capture-builder.js';
import { arp, ETH_ARP, ETH_IPV4, ethernet, filler, ipv4, PROTO_TCP, PROTO_UDP, tcp, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, udp } from '../helpers/packet-builder.js';
import { runCli as run } from '../helpers/run-cli.js';

const BASE_S = 1_700_000_000;
const SERVER = '10.0.1.1';
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;

/** What a packet is, so tests know which verdict it must get: scan-shaped flows are the attack class. */
type Kind = 'normal' | 'scan' | 'arp' | 'other';

interface Packet {
  /** µs after BASE_S */
  t: number;
  /** the IP packet, or the ARP message for kind arp */
  bytes: Uint8Array;
  kind: Kind;
  /** a name for the flow use this packet belongs to, for the reuse checks */
  use?: string;
}

function tcpPacket(t: number, src: string, dst: string, sport: number, dport: number, flags: number, seq: number, ack: number, payload: number, kind: Kind, use?: string): Packet {
  return { t, bytes: ipv4({ src, dst, proto: PROTO_TCP }, tcp({ sport, dport, flags, seq, ack }, filler(payload))), kind, use };
}

/**
 * A whole TCP session (handshake, request, response, and with `fin` the four-way close): normal traffic.
 * `v` varies the sizes and the server's delay, so sessions are alike but not identical (as a model sees them).
 */
function session(client: string, sport: number, t0: number, fin: boolean, v: number, use?: string): Packet[] {
  const c = (dt: number, flags: number, seq: number, ack: number, payload = 0) => tcpPacket(t0 + dt, client, SERVER, sport, 80, flags, seq, ack, payload, 'normal', use);
  const s = (dt: number, flags: number, seq: number, ack: number, payload = 0) => tcpPacket(t0 + dt, SERVER, client, 80, sport, flags, seq, ack, payload, 'normal', use);
  const request = 300 + ((v * 37) % 200);
  const response = 1000 + ((v * 91) % 400);
  const delay = 6_000 + ((v * 1_300) % 5_000);
  const cEnd = 1001 + request;
  const sEnd = 5001 + response;
  const out = [
    c(0, TCP_SYN, 1000, 0),
    s(1_000, TCP_SYN | TCP_ACK, 5000, 1001),
    c(2_000, TCP_ACK, 1001, 5001),
    c(3_000, TCP_PSH | TCP_ACK, 1001, 5001, request),
    s(3_000 + delay, TCP_PSH | TCP_ACK, 5001, cEnd, response),
    c(4_000 + delay, TCP_ACK, cEnd, sEnd),
  ];
  if (fin) out.push(c(14_000 + delay, TCP_FIN | TCP_ACK, cEnd, sEnd), s(15_000 + delay, TCP_FIN | TCP_ACK, sEnd, cEnd + 1), c(16_000 + delay, TCP_ACK, cEnd + 1, sEnd + 1));
  return out;
}

/** A SYN answered by a RST: one probe of a port scan. */
function probe(client: string, sport: number, dport: number, t0: number, use?: string): Packet[] {
  return [tcpPacket(t0, client, SERVER, sport, dport, TCP_SYN, 1000, 0, 0, 'scan', use), tcpPacket(t0 + 400, SERVER, client, dport, sport, TCP_RST | TCP_ACK, 0, 1001, 0, 'scan', use)];
}

function arpRequest(t: number, n: number): Packet {
  return { t, bytes: arp({ op: 1, senderIp: '10.0.0.1', targetIp: `10.0.0.${100 + (n % 50)}` }), kind: 'arp' };
}

const s = (seconds: number) => Math.round(seconds * 1e6);

/** Ordinary sessions (some left open) and, unless `normalOnly`, port-scan probes: what a model learns from. */
function trainingTraffic(normalOnly: boolean): Packet[] {
  const out: Packet[] = [];
  for (let i = 0; i < 40; i++) out.push(...session(`10.0.0.${10 + i}`, 50000 + i, s(1 + i * 0.5), normalOnly || i % 4 !== 0, i));
  if (!normalOnly) for (let i = 0; i < 40; i++) out.push(...probe('10.0.0.66', 60000 + i, 1000 + i, s(1.2 + i * 0.5)));
  return out;
}

/**
 * The capture scored in the tests: sessions, probes, ARP, a long UDP exchange, and two 5-tuples used
 * several times: A (10.0.0.7:40000) as a probe ended by RST, then a session ended by FIN, then a probe
 * again; B (10.0.0.8:40001) as a session never closed (it ends by the 120 s idle timeout), then a probe.
 */
function scoredTraffic(): Packet[] {
  const out: Packet[] = [];
  for (let i = 0; i < 10; i++) out.push(...session(`10.0.0.${20 + i}`, 51000 + i, s(1 + i * 1.3), true, i + 3));
  for (let i = 0; i < 10; i++) out.push(...probe('10.0.0.66', 61000 + i, 2000 + i, s(1.5 + i * 1.1)));
  for (let i = 0; i < 40; i++) out.push(arpRequest(s(0.05 + i * 0.7), i));
  for (let i = 0; i < 14; i++) {
    for (const [src, dt] of [['10.0.0.9', 0.1], ['10.0.0.11', 0.6]] as const) {
      out.push({ t: s(1 + dt + i), bytes: ipv4({ src, dst: SERVER, proto: PROTO_UDP }, udp({ sport: 5353, dport: 53 }, filler(40))), kind: 'other' });
    }
  }
  out.push(...probe('10.0.0.7', 40000, 80, s(2), 'A1'), ...session('10.0.0.7', 40000, s(5), true, 5, 'A2'), ...probe('10.0.0.7', 40000, 80, s(12), 'A3'));
  out.push(...session('10.0.0.8', 40001, s(3), false, 8, 'B1'), ...probe('10.0.0.8', 40001, 80, s(203), 'B2'));
  out.push(arpRequest(s(203.5), 99), ...session('10.0.0.30', 52000, s(205), true, 11));
  return out;
}

/** Frames in time order (stable, so same-time packets keep their order). */
function ordered(packets: Packet[]): Packet[] {
  return packets.map((p, i) => ({ p, i })).sort((a, b) => a.p.t - b.p.t || a.i - b.i).map((x) => x.p);
}

function writePcap(path: string, packets: Packet[]): Packet[] {
  const frames = ordered(packets);
  const records = frames.map((p) => ({
    data: ethernet({ type: p.kind === 'arp' ? ETH_ARP : ETH_IPV4 }, p.bytes),
    tsSec: BASE_S + Math.floor(p.t / 1e6),
    tsFrac: p.t % 1e6,
  }));
  writeFileSync(path, buildPcap({ records }).bytes);
  return frames;
}

/** pcapng with two interfaces: Ethernet (µs) and raw IP (ns); the probes come in on the raw one. */
function writePcapng(path: string, packets: Packet[]): Packet[] {
  const frames = ordered(packets);
  const blocks: Parameters<typeof buildPcapng>[0][0]['blocks'] = [
    { kind: 'idb', linkType: LINKTYPE_ETHERNET, snapLen: 65535, name: 'eth0' },
    { kind: 'idb', linkType: LINKTYPE_RAW, snapLen: 65535, name: 'tun0', tsresol: 9 },
  ];
  for (const p of frames) {
    const raw = p.kind === 'scan';
    const us = BigInt(BASE_S) * 1_000_000n + BigInt(p.t);
    blocks.push({
      kind: 'epb',
      interfaceId: raw ? 1 : 0,
      data: raw ? p.bytes : ethernet({ type: p.kind === 'arp' ? ETH_ARP : ETH_IPV4 }, p.bytes),
      timestamp: raw ? us * 1000n + 123n : us,
    });
  }
  writeFileSync(path, buildPcapng([{ blocks }]).bytes);
  return frames;
}

type Row = Record<string, string>;

function readCsv(path: string): { fields: string[]; rows: Row[] } {
  const parsed = Papa.parse<Row>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return { fields: parsed.meta.fields ?? [], rows: parsed.data };
}

function timeText(f: ReadFrame): string {
  return `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;
}

/**
 * The per-packet file against detections.csv and the capture itself: one row per frame in order, the
 * frame's time, the flow's verdict/score/class through flow_id and detections_row, inside the flow's times;
 * every flow has at least one packet. Returns the rows.
 */
async function checkPacketVerdicts(packetsCsv: string, detectionsCsv: string, capture: string): Promise<Row[]> {
  const { frames } = await readCapture(capture);
  const det = readCsv(detectionsCsv).rows;
  const { fields, rows } = readCsv(packetsCsv);
  const rf = det.length > 0 && 'predicted_class' in det[0];
  expect(fields).toEqual(['packet_number', 'time_s', 'flow_id', 'detections_row', 'score', 'verdict', ...(rf ? ['predicted_class'] : [])]);
  expect(rows).toHaveLength(frames.length);
  const flowsSeen = new Set<string>();
  rows.forEach((row, i) => {
    expect(row.packet_number).toBe(String(i + 1));
    expect(row.time_s).toBe(timeText(frames[i]));
    if (row.verdict === 'NONE') {
      expect([row.flow_id, row.detections_row, row.score]).toEqual(['', '', '']);
      if (rf) expect(row.predicted_class).toBe('');
      return;
    }
    const flow = det[Number(row.detections_row) - 1];
    expect(flow.flow_id).toBe(row.flow_id);
    expect(row.verdict).toBe(flow.verdict);
    expect(row.score).toBe(flow.score);
    if (rf) expect(row.predicted_class).toBe(flow.predicted_class);
    // same-width decimal texts compare like numbers, to the nanosecond
    expect(row.time_s >= flow.start_time_s && row.time_s <= flow.end_time_s).toBe(true);
    flowsSeen.add(row.flow_id);
  });
  expect(flowsSeen.size).toBe(det.length);
  return rows;
}

interface Trained {
  dir: string;
  rf: string;
  iforest: string;
}

/** A random forest (scan vs normal, from a labelled capture) and an isolation forest (from sessions only). */
async function trainModels(): Promise<Trained> {
  const dir = mkdtempSync(join(tmpdir(), 'netml-detect-packets-'));
  const features = async (name: string, normalOnly: boolean) => {
    const pcap = join(dir, `${name}.pcap`);
    writePcap(pcap, trainingTraffic(normalOnly));
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify([{ class: 'scan', src: '10.0.0.66' }]));
    const csv = join(dir, `${name}.csv`);
    expect((await run(['extract', '-i', pcap, '-o', csv, '--labels', rules, '-q', '--no-writer-thread'])).code).toBe(0);
    return csv;
  };
  const rf = join(dir, 'rf.json');
  const iforest = join(dir, 'iforest.json');
  const report = join(dir, 'report.json');
  expect((await run(['train', '--model', 'rf', '-i', await features('labelled', false), '-o', rf, '--report', report, '--trees', '20', '-q', '--threads', '1'])).code).toBe(0);
  expect((await run(['train', '--model', 'iforest', '-i', await features('normal', true), '-o', iforest, '--report', report, '--trees', '20', '-q', '--threads', '1'])).code).toBe(0);
  return { dir, rf, iforest };
}

function workDir(): { dir: string; at: (name: string) => string; results: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'netml-detect-packets-'));
  const results = join(dir, 'results');
  return { dir, at: (name) => join(results, name), results: () => (existsSync(results) ? readdirSync(results).sort() : []) };
}

describe('netml detect --packets / --export-pcap', () => {
  let models: Trained;
  beforeAll(async () => {
    models = await trainModels();
  });

  it('gives every packet its flow verdict, in capture order, with NONE for packets in no flow (rf, capture input)', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    const frames = writePcap(capture, scoredTraffic());
    const r = await run(['detect', '-i', capture, '-m', models.rf, '-o', w.at('detections.csv'), '--summary', w.at('summary.json'), '--packets', w.at('packets.csv'), '--json', '--threads', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await checkPacketVerdicts(w.at('packets.csv'), w.at('detections.csv'), capture);
    // against what each packet really is: probes are the scan class, sessions normal, ARP in no flow
    rows.forEach((row, i) => {
      const kind = frames[i].kind;
      if (kind === 'arp') expect(row.verdict).toBe('NONE');
      if (kind === 'scan') expect(row).toMatchObject({ verdict: 'SUSPICIOUS', predicted_class: 'scan' });
      if (kind === 'normal') expect(row).toMatchObject({ verdict: 'NORMAL', predicted_class: 'normal' });
    });
    const summary = JSON.parse(r.stdout);
    const arpCount = frames.filter((f) => f.kind === 'arp').length;
    const flagged = rows.filter((row) => row.verdict === 'SUSPICIOUS').length;
    expect(flagged).toBeGreaterThanOrEqual(frames.filter((f) => f.kind === 'scan').length);
    expect(summary.packets).toEqual({ capture, packets: frames.length, inFlows: frames.length - arpCount, notInFlows: arpCount, inSuspiciousFlows: flagged });
    expect(summary.outputs.packets).toBe(w.at('packets.csv'));
    expect(w.results()).toEqual(['detections.csv', 'packets.csv', 'summary.json']);
  });

  it('maps a reused 5-tuple to the right flow each time: after RST, after FIN, after the idle timeout', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    const frames = writePcap(capture, scoredTraffic());
    const r = await run(['detect', '-i', capture, '-m', models.rf, '-o', w.at('detections.csv'), '--summary', w.at('summary.json'), '--packets', w.at('packets.csv'), '-q', '--threads', '1']);
    expect(r.code).toBe(0);
    const rows = readCsv(w.at('packets.csv')).rows;
    const det = readCsv(w.at('detections.csv')).rows;
    const uses = ['A1', 'A2', 'A3', 'B1', 'B2'];
    const flowOf = new Map<string, string>();
    for (const use of uses) {
      const mine = rows.filter((_, i) => frames[i].use === use);
      const ids = new Set(mine.map((row) => row.flow_id));
      expect(ids.size, use).toBe(1);
      flowOf.set(use, mine[0].flow_id);
      // the flow's row starts at the use's first packet and ends at its last
      const flow = det.find((d) => d.flow_id === mine[0].flow_id)!;
      expect(flow.start_time_s, use).toBe(mine[0].time_s);
      expect(flow.end_time_s, use).toBe(mine[mine.length - 1].time_s);
      expect([flow.src_addr, flow.src_port, flow.dst_addr, flow.dst_port]).toEqual([use[0] === 'A' ? '10.0.0.7' : '10.0.0.8', use[0] === 'A' ? '40000' : '40001', SERVER, '80']);
    }
    expect(new Set(flowOf.values()).size).toBe(uses.length);
    const verdictOf = (use: string) => rows.find((_, i) => frames[i].use === use)!.verdict;
    expect(uses.map(verdictOf)).toEqual(['SUSPICIOUS', 'NORMAL', 'SUSPICIOUS', 'NORMAL', 'SUSPICIOUS']);
  });

  it('exports exactly the packets of suspicious flows, bytes and times untouched, readable by netml (pcap)', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    writePcap(capture, scoredTraffic());
    const out = w.at('suspicious.pcap');
    const r = await run(['detect', '-i', capture, '-m', models.rf, '-o', w.at('detections.csv'), '--summary', w.at('summary.json'), '--packets', w.at('packets.csv'), '--export-pcap', out, '-q', '--threads', '1']);
    expect(r.code).toBe(0);
    const { frames: input } = await readCapture(capture);
    const rows = readCsv(w.at('packets.csv')).rows;
    const expected = input.filter((_, i) => rows[i].verdict === 'SUSPICIOUS');
    expect(expected.length).toBeGreaterThan(10);
    const { frames: exported, reader } = await readCapture(out);
    expect(reader.format).toBe('pcap-ns');
    expect(reader.interfaces.map((i) => i.linkType)).toEqual([LINKTYPE_ETHERNET]);
    const strip = (f: ReadFrame) => ({ data: Buffer.from(f.data).toString('hex'), capLen: f.capLen, wireLen: f.wireLen, tsSec: f.tsSec, tsNsec: f.tsNsec, linkType: f.linkType });
    expect(exported.map(strip)).toEqual(expected.map(strip));
    expect(JSON.parse(readFileSync(w.at('summary.json'), 'utf8')).packets.inSuspiciousFlows).toBe(expected.length);
  });

  it('keeps a pcapng a pcapng: every interface, its link type and nanosecond times (CSV input + --capture)', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcapng');
    writePcapng(capture, scoredTraffic());
    const features = join(w.dir, 'features.csv');
    expect((await run(['extract', '-i', capture, '-o', features, '-q', '--no-writer-thread'])).code).toBe(0);
    const out = w.at('suspicious.pcapng');
    const r = await run(['detect', '-i', features, '--capture', capture, '-m', models.rf, '-o', w.at('detections.csv'), '--summary', w.at('summary.json'), '--packets', w.at('packets.csv'), '--export-pcap', out, '-q', '--threads', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await checkPacketVerdicts(w.at('packets.csv'), w.at('detections.csv'), capture);
    const { frames: input } = await readCapture(capture);
    const expected = input.filter((_, i) => rows[i].verdict === 'SUSPICIOUS');
    // the probes came in on the raw-IP interface, the rest on Ethernet: both are in the export
    expect(new Set(expected.map((f) => f.interfaceId))).toEqual(new Set([0, 1]));
    const { frames: exported, reader } = await readCapture(out);
    expect(reader.format).toBe('pcapng');
    expect(reader.interfaces.map((i) => [i.linkType, i.name])).toEqual([
      [LINKTYPE_ETHERNET, 'eth0'],
      [LINKTYPE_RAW, 'tun0'],
    ]);
    const strip = (f: ReadFrame) => ({ data: Buffer.from(f.data).toString('hex'), wireLen: f.wireLen, tsSec: f.tsSec, tsNsec: f.tsNsec, linkType: f.linkType, interfaceId: f.interfaceId });
    expect(exported.map(strip)).toEqual(expected.map(strip));
  });

  it('maps flows evicted by --max-flows and cut by --active-timeout when given extract\'s options, refuses without them (isolation forest)', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    writePcap(capture, scoredTraffic());
    const features = join(w.dir, 'features.csv');
    const e = await run(['extract', '-i', capture, '-o', features, '--max-flows', '2', '--active-timeout', '3', '--json', '--no-writer-thread']);
    expect(e.code).toBe(0);
    const ends = JSON.parse(e.stdout).flowsByEndReason;
    expect(ends.evicted).toBeGreaterThan(5);
    expect(ends.active).toBeGreaterThan(0);
    const args = ['detect', '-i', features, '--capture', capture, '-m', models.iforest, '-o', w.at('detections.csv'), '--summary', w.at('summary.json'), '--packets', w.at('packets.csv'), '--export-pcap', w.at('s.pcap'), '-q', '--threads', '1'];
    const ok = await run([...args, '--max-flows', '2', '--active-timeout', '3']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    await checkPacketVerdicts(w.at('packets.csv'), w.at('detections.csv'), capture);
    const before = Object.fromEntries(w.results().map((f) => [f, readFileSync(w.at(f))]));
    // the same CSV metered with extract's defaults: other flows, refused with what to pass, nothing changed
    const wrong = await run(args);
    expect(wrong.code).toBe(ExitCode.badData);
    expect(wrong.stderr).toMatch(/does not match flow record \d+ of .*scored\.pcap/);
    expect(wrong.stderr).toMatch(/hint: .*--idle-timeout, --active-timeout, --max-flows/);
    expect(w.results()).toEqual(Object.keys(before).sort());
    for (const [f, bytes] of Object.entries(before)) expect(readFileSync(w.at(f)), f).toEqual(bytes);
  });

  it('refuses a features CSV without --capture: exit 64, a hint with the command, nothing written', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    writePcap(capture, scoredTraffic());
    const features = join(w.dir, 'features.csv');
    expect((await run(['extract', '-i', capture, '-o', features, '-q', '--no-writer-thread'])).code).toBe(0);
    const base = ['detect', '-i', features, '-m', models.rf, '-o', w.at('detections.csv'), '--summary', w.at('summary.json')];
    for (const extra of [['--packets'], ['--export-pcap', w.at('s.pcap')]]) {
      const r = await run([...base, ...extra]);
      expect(r.code).toBe(ExitCode.usage);
      expect(r.stderr).toMatch(/needs the packets: --input .*features\.csv is a features CSV, so give the capture it was extracted from with --capture/);
      expect(r.stderr).toMatch(/hint: netml detect --input .*features\.csv --capture /);
    }
    const notCapture = await run([...base, '--packets', '--capture', features]);
    expect(notCapture.code).toBe(ExitCode.badData);
    expect(notCapture.stderr).toMatch(/--capture .*features\.csv is not a pcap or pcapng file/);
    const missing = await run([...base, '--packets', '--capture', join(w.dir, 'none.pcap')]);
    expect(missing.code).toBe(ExitCode.missingInput);
    const capWithCapture = await run(['detect', '-i', capture, '--capture', capture, '-m', models.rf, '--packets', w.at('p.csv'), '-o', w.at('d.csv'), '--summary', w.at('s.json')]);
    expect(capWithCapture.code).toBe(ExitCode.usage);
    const overwrite = await run(['detect', '-i', capture, '-m', models.rf, '--export-pcap', capture, '-o', w.at('d.csv'), '--summary', w.at('s.json')]);
    expect(overwrite.code).toBe(ExitCode.usage);
    expect(overwrite.stderr).toMatch(/--input and --export-pcap are the same file/);
    expect(w.results()).toEqual([]);
  });

  it('leaves nothing half-written when an output cannot be created, nor a temporary file', async () => {
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    writePcap(capture, scoredTraffic());
    const blocker = join(w.dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const r = await run(['detect', '-i', capture, '-m', models.rf, '-o', w.at('detections.csv'), '--summary', w.at('summary.json'), '--packets', w.at('packets.csv'), '--export-pcap', join(blocker, 's.pcap'), '-q', '--threads', '1']);
    expect(r.code).toBe(ExitCode.cannotWrite);
    // the packet file was being written when the export failed to open: dropped, temporary name included
    expect(w.results()).toEqual([]);
  });

  it('on Ctrl+C while the capture is read again drops both files; a finished pass names them only on commit()', async () => {
    const { writePacketOutputs } = await import('../../src/cli/detect-packets.js');
    const { readFeatureTable } = await import('../../src/io/feature-table.js');
    const w = workDir();
    const capture = join(w.dir, 'scored.pcap');
    writePcap(capture, scoredTraffic());
    const features = join(w.dir, 'features.csv');
    expect((await run(['extract', '-i', capture, '-o', features, '-q', '--no-writer-thread'])).code).toBe(0);
    const table = readFeatureTable(features, { keepIdentifiers: true });
    const rows = table.matrix.rows;
    const detections = { score: new Float64Array(rows).fill(1), suspicious: new Uint8Array(rows).fill(1), predictedClass: null, suspiciousCount: rows };
    const plan = { capture, separateCapture: true, table: features, packets: w.at('p.csv'), exportPcap: w.at('s.pcap'), metering: { idleTimeoutS: 120, activeTimeoutS: 1800 } };
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    const pass = (interrupted: boolean) => writePacketOutputs(plan, table.identifiers, detections, null, { interrupted: () => interrupted, onProgress: () => {} }, io);
    await expect(pass(true)).rejects.toMatchObject({ exitCode: ExitCode.interrupted, message: expect.stringMatching(/interrupted while mapping packets to flows; nothing was written/) });
    expect(w.results()).toEqual([]);
    const pending = await pass(false);
    // complete, but only under temporary names until detect has written detections.csv and summary.json
    expect(w.results()).toHaveLength(2);
    expect(w.results().every((f) => /\.tmp-\d+$/.test(f))).toBe(true);
    pending.abandon();
    expect(w.results()).toEqual([]);
    const kept = await pass(false);
    kept.commit();
    expect(w.results()).toEqual(['p.csv', 's.pcap']);
    expect((await readCapture(w.at('s.pcap'))).frames).toHaveLength(kept.summary.inFlows);
  });

  it('shows an example of each option in --help', async () => {
    const r = await run(['detect', '--help']);
    expect(r.stdout).toMatch(/netml detect --input \S+\.pcap --packets/);
    expect(r.stdout).toMatch(/--capture \S+ --export-pcap results\/suspicious\.pcap/);
    expect(r.stdout).toMatch(/verdict NONE/);
  });
});
