// `netml visualize`: terminal charts of packets (dataset/packets.csv or a capture file) and of verdicts
// (results/detections.csv). This file reads the inputs and wires options; the summaries and charts are the
// pure functions of src/viz.

import { createReadStream, existsSync, openSync, readFileSync, readSync, closeSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { openCaptureFile } from '../capture/capture-file.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { PacketMeta } from '../decode/packet-meta.js';
import { BadDataError, ExitCode, inputFileError, MissingInputError, outputFileError, UsageError } from '../errors.js';
import { giveToInvokingUser, makeDirectoryForInvokingUser } from '../io/file-ownership.js';
import { wrapWords } from '../viz/chart-text.js';
import type { ChartModel, ChartOptions } from '../viz/chart-model.js';
import { DETECTION_CHART_NAMES, detectionChart, type DetectionChartName } from '../viz/detection-charts.js';
import { type DetectionRecord, DetectionSummaryBuilder, type DetectionSummary } from '../viz/detection-summary.js';
import { formatBytes, formatCount } from '../viz/format.js';
import { type LocalAddresses, localNetworks } from '../viz/local-addresses.js';
import { packetRecordFromMeta } from '../viz/packet-record.js';
import { renderSvg } from '../viz/render-svg.js';
import { renderText } from '../viz/render-text.js';
import { useColour } from '../viz/table.js';
import { PACKET_CHART_NAMES, packetChart, type PacketChartName } from '../viz/traffic-charts.js';
import { type PacketRecord, TrafficSummaryBuilder, type TrafficSummary } from '../viz/traffic-summary.js';
import type { CliIo } from './main.js';
import { collectNetworks, parsePositiveInt } from './option-parsers.js';

export interface VisualizeOptions {
  input?: string[];
  width?: number;
  chart?: ChartName;
  local?: string[];
  svg?: string;
  top: number;
}

export const CHART_NAMES = [...PACKET_CHART_NAMES, ...DETECTION_CHART_NAMES] as const;
export type ChartName = PacketChartName | DetectionChartName;

/** The inputs drawn when --input is not given, in this order, those that exist. */
export const DEFAULT_INPUTS = ['dataset/packets.csv', 'results/detections.csv'];
export const MIN_WIDTH = 40;

const EXAMPLES = `
Charts (--chart NAME draws one):
  packets:     traffic (bytes/s sent and received, packets/s), protocols, ports, talkers, destinations
  detections:  scores (anomaly score over time, threshold line), verdicts, classes (random forest),
               suspicious (top suspicious rows), hosts (hosts in suspicious rows)

Examples:
  netml visualize                                   dataset/packets.csv and results/detections.csv, whichever exist
  netml visualize --input results/detections.csv --chart scores
  netml visualize --input trace.pcapng --local 192.168.1.0/24 --width 120
  netml visualize --svg report/                     also write report/traffic.svg, report/scores.svg, ...
  NO_COLOR=1 netml visualize | less                 plain text (colour is also off when piped)

Sent and received are relative to --local; without it, to this host's addresses when they appear in the
traffic, else to the address that takes part in the most packets (the chart says which).
Exit codes: 0 ok (also for an empty input), 64 bad usage, 65 not a packets/detections CSV or a capture,
66 missing input, 73 cannot write the SVG files.`;

export function registerVisualize(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('visualize')
    .summary('terminal charts of packets.csv, detections.csv or a capture file (optionally SVG files)')
    .description(
      'Draw traffic over time, protocol and port distributions and top talkers from packets, and anomaly scores, ' +
        'verdicts and the top suspicious flows and hosts from detections, fitted to the terminal width.',
    )
    .option('-i, --input <path>', `packets.csv, detections.csv, or a pcap/pcapng file; repeatable (default: ${DEFAULT_INPUTS.join(' and ')}, those that exist)`, collect)
    .option('-w, --width <columns>', `characters per line (default: the terminal's width, 80 when not a terminal; at least ${MIN_WIDTH})`, parseWidth)
    .option('--chart <name>', `draw only this chart: ${CHART_NAMES.join(', ')}`, parseChartName)
    .option('--local <cidr>', 'local network(s) for sent/received, e.g. 192.168.1.0/24 or fd00::/8; repeatable or comma-separated', collectNetworks)
    .option('--svg <dir>', 'also write each chart as DIR/<chart>.svg')
    .option('--top <n>', 'rows of the tables and bar lists', parsePositiveInt, 10)
    .addHelpText('after', EXAMPLES)
    .action(async (opts: VisualizeOptions) => {
      result.exitCode = await visualizeCommand(opts, io);
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseWidth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < MIN_WIDTH) throw new InvalidArgumentError(`expected a whole number of columns, at least ${MIN_WIDTH}, got "${value}"`);
  return n;
}

function parseChartName(value: string): ChartName {
  if (!(CHART_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`no chart named "${value}"; the charts are ${CHART_NAMES.join(', ')}`);
  return value as ChartName;
}

export type InputKind = 'capture' | 'packets' | 'detections' | 'empty';

async function visualizeCommand(opts: VisualizeOptions, io: CliIo): Promise<number> {
  const inputs = opts.input ?? DEFAULT_INPUTS.filter((p) => existsSync(p));
  if (inputs.length === 0) {
    throw new MissingInputError(
      DEFAULT_INPUTS[0],
      `nothing to visualize: neither ${DEFAULT_INPUTS.join(' nor ')} exists`,
      'run `netml capture` (and `netml extract`, `netml train`, `netml detect`) first, or give --input FILE',
    );
  }
  const width = opts.width ?? (io.stdout.isTTY && io.stdout.columns ? Math.max(MIN_WIDTH, io.stdout.columns) : 80);
  const chartOptions: ChartOptions = { width, colour: useColour(io.stdout), top: opts.top };
  const kinds = inputs.map((path) => [path, sniffInput(path)] as const);
  if (opts.chart) {
    const wanted: InputKind = (PACKET_CHART_NAMES as readonly string[]).includes(opts.chart) ? 'packets' : 'detections';
    const fits = (k: InputKind) => k === 'empty' || k === wanted || (wanted === 'packets' && k === 'capture');
    if (!kinds.some(([, k]) => fits(k))) {
      throw new UsageError(
        `chart "${opts.chart}" draws ${wanted === 'packets' ? 'packets' : 'detections'}, and ${inputs.join(', ')} ${inputs.length > 1 ? 'hold' : 'holds'} none`,
        wanted === 'packets' ? 'give --input dataset/packets.csv or a capture file' : 'give --input results/detections.csv (written by `netml detect`)',
      );
    }
  }
  const sections: string[] = [];
  const svgs: { name: string; svg: string }[] = [];
  for (const [path, kind] of kinds) {
    if (kind === 'empty') {
      sections.push(`${path}: no packets in this file`);
      continue;
    }
    const charts: { name: ChartName; model: ChartModel }[] = [];
    let header: string;
    if (kind === 'detections') {
      if (opts.chart && !(DETECTION_CHART_NAMES as readonly string[]).includes(opts.chart)) continue;
      const summary = await summarizeDetections(path);
      if (summary.rows === 0) {
        sections.push(`${path}: no detections in this file`);
        continue;
      }
      header = `${path}: ${formatCount(summary.rows)} detections, ${formatCount(summary.suspicious)} SUSPICIOUS`;
      const names = opts.chart ? [opts.chart as DetectionChartName] : DETECTION_CHART_NAMES.filter((n) => n !== 'classes' || summary.has.classes);
      for (const name of names) charts.push({ name, model: detectionChart(name, summary, opts.top) });
    } else {
      if (opts.chart && !(PACKET_CHART_NAMES as readonly string[]).includes(opts.chart)) continue;
      const summary = await summarizePackets(path, kind, opts.local);
      if (summary.packets === 0) {
        sections.push(`${path}: no packets in this file`);
        continue;
      }
      header = `${path}: ${formatCount(summary.packets)} packets, ${formatBytes(summary.bytes)}`;
      const names = opts.chart ? [opts.chart as PacketChartName] : [...PACKET_CHART_NAMES];
      for (const name of names) charts.push({ name, model: packetChart(name, summary, opts.top) });
    }
    // a long path puts the counts on a line of their own instead of running past the width
    sections.push([wrapWords(header, width).join('\n'), ...charts.map((c) => renderText(c.model, chartOptions))].join('\n\n'));
    for (const c of charts) svgs.push({ name: c.name, svg: renderSvg(c.model) });
  }
  io.stdout.write(`${sections.join('\n\n')}\n`);
  if (opts.svg !== undefined && svgs.length > 0) {
    const written = writeSvgs(opts.svg, svgs);
    io.stdout.write(`\nwrote ${written.join(', ')}\n`);
  }
  return ExitCode.ok;
}

function writeSvgs(dir: string, svgs: { name: string; svg: string }[]): string[] {
  try {
    makeDirectoryForInvokingUser(resolve(dir));
  } catch (err) {
    throw outputFileError(dir, err);
  }
  return svgs.map(({ name, svg }) => {
    const path = join(dir, `${name}.svg`);
    try {
      writeFileSync(path, svg);
    } catch (err) {
      throw outputFileError(path, err);
    }
    giveToInvokingUser(path);
    return path;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Inputs

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** What a file holds, from its first bytes: a capture (magic number), a packets CSV or a detections CSV (header). */
export function sniffInput(path: string): InputKind {
  let fd: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    fd = openSync(path, 'r');
  } catch (err) {
    throw inputFileError(path, err);
  }
  const head = Buffer.alloc(64 * 1024);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, null);
  } catch (err) {
    throw inputFileError(path, err);
  } finally {
    closeSync(fd);
  }
  if (n === 0) return 'empty';
  if (n >= 4 && PCAP_MAGICS.has(head.readUInt32BE(0))) return 'capture';
  const firstLine = head.subarray(0, n).toString('utf8').split(/\r?\n/)[0];
  const columns = splitCsvLine(firstLine.replace(/^\uFEFF/, ''));
  if (columns.includes('detections_row') && columns.includes('verdict')) {
    // detect --packets: every packet repeats its flow's verdict, so its rows would count each flow many times
    throw new BadDataError(
      `${path} holds one verdict per packet (\`netml detect --packets\`): each flow's verdict repeated on its packets`,
      'visualize the detections it points to (results/detections.csv), or the capture itself',
    );
  }
  if (columns.includes('score') && columns.includes('verdict')) return 'detections';
  if (columns.includes('time_epoch_s') && columns.includes('wire_len_bytes') && columns.includes('protocol')) return 'packets';
  throw new BadDataError(
    `${path} is neither a packets CSV, a detections CSV nor a capture file (its first line starts "${firstLine.slice(0, 60)}")`,
    'visualize reads dataset/packets.csv (from `netml capture`), results/detections.csv (from `netml detect`) or a pcap/pcapng file',
  );
}

/** Cells of one CSV line (RFC 4180 quotes; the fast path when there are none). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

async function* csvRows(path: string): AsyncGenerator<{ header: string[] } | { cells: string[]; row: number }> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let row = 0;
  try {
    for await (const line of lines) {
      if (row === 0) yield { header: splitCsvLine(line.replace(/^\uFEFF/, '')) };
      else if (line !== '') yield { cells: splitCsvLine(line), row };
      row++;
    }
  } catch (err) {
    throw inputFileError(path, err);
  } finally {
    lines.close();
    stream.destroy();
  }
}

const int = (text: string | undefined): number => (text === undefined || text === '' ? -1 : Number(text));

async function* packetsFromCsv(path: string): AsyncGenerator<PacketRecord> {
  let at: Record<'time' | 'bytes' | 'src' | 'dst' | 'protocol' | 'srcPort' | 'dstPort', number> | undefined;
  for await (const item of csvRows(path)) {
    if ('header' in item) {
      const h = item.header;
      at = {
        time: h.indexOf('time_epoch_s'),
        bytes: h.indexOf('wire_len_bytes'),
        src: h.indexOf('src_addr'),
        dst: h.indexOf('dst_addr'),
        protocol: h.indexOf('protocol'),
        srcPort: h.indexOf('src_port'),
        dstPort: h.indexOf('dst_port'),
      };
      continue;
    }
    const c = item.cells;
    const a = at!;
    yield {
      timeS: Number(c[a.time]),
      wireBytes: Number(c[a.bytes]) || 0,
      src: c[a.src] ?? '',
      dst: c[a.dst] ?? '',
      protocol: c[a.protocol] ?? 'other',
      srcPort: int(c[a.srcPort]),
      dstPort: int(c[a.dstPort]),
    };
  }
}

async function* packetsFromCapture(path: string): AsyncGenerator<PacketRecord> {
  const reader = await openCaptureFile(path);
  const meta = new PacketMeta();
  try {
    for await (const batch of reader.batches()) {
      for (let i = 0; i < batch.count; i++) {
        const start = batch.start[i];
        decodeFrame(batch.bytes, start, start + batch.capLen[i], batch.linkType[i], meta, batch.wireLen[i]);
        yield packetRecordFromMeta(meta, batch.tsSec[i] + batch.tsNsec[i] / 1e9, batch.wireLen[i]);
      }
    }
  } finally {
    await reader.close();
  }
}

/** This host's own addresses (not loopback): the local side when the traffic was captured here. */
function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal)
    .map((a) => a.address.split('%')[0]);
}

/**
 * One pass with --local or this host's addresses; when neither applies (a capture made elsewhere), a second
 * pass relative to the address in the most packets, which the first pass found.
 */
async function summarizePackets(path: string, kind: 'capture' | 'packets', localSpecs: string[] | undefined): Promise<TrafficSummary> {
  const read = () => (kind === 'capture' ? packetsFromCapture(path) : packetsFromCsv(path));
  const summarize = async (local: LocalAddresses | null) => {
    const builder = new TrafficSummaryBuilder(local);
    for await (const p of read()) builder.add(p);
    return builder.finish();
  };
  if (localSpecs && localSpecs.length > 0) return summarize(localNetworks(localSpecs, 'option'));
  const own = hostAddresses();
  const first = await summarize(own.length > 0 ? localNetworks(own, 'host') : null);
  if (first.sentBytes + first.receivedBytes > 0 || first.busiestAddress === undefined) return first;
  return summarize(localNetworks([first.busiestAddress], 'busiest'));
}

// ---------------------------------------------------------------------------------------------------------
// Detections

const ID_COLUMNS = ['flow_id', 'packet_number', 'Flow ID', 'row'];
const TIME_COLUMNS = ['start_time_s', 'time_s', 'window_start_s', 'time_epoch_s', 'Timestamp'];
const SRC_COLUMNS = ['src_addr', 'Source IP'];
const DST_COLUMNS = ['dst_addr', 'Destination IP'];
const SRC_PORT_COLUMNS = ['src_port', 'Source Port'];
const DST_PORT_COLUMNS = ['dst_port', 'Destination Port'];

function firstOf(header: string[], names: string[]): { index: number; name: string } {
  for (const name of names) {
    const index = header.indexOf(name);
    if (index >= 0) return { index, name };
  }
  return { index: -1, name: '' };
}

/** CICFlowMeter's "dd/MM/yyyy hh:mm:ss AM" (UTC) or plain epoch seconds. */
export function parseTime(text: string | undefined): number {
  if (text === undefined || text === '') return Number.NaN;
  const n = Number(text);
  if (Number.isFinite(n)) return n;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: ?([AP]M))?$/i.exec(text.trim());
  if (!m) return Number.NaN;
  let hour = Number(m[4]) % (m[7] ? 12 : 24);
  if (m[7] && m[7].toUpperCase() === 'PM') hour += 12;
  return Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), hour, Number(m[5]), Number(m[6])) / 1000;
}

/** The model's threshold and kind from the summary.json that `netml detect` wrote next to this file, if it is there. */
export function modelFacts(detectionsPath: string): { threshold: number | null; kind: string | undefined } | undefined {
  const summaryPath = join(dirname(detectionsPath), 'summary.json');
  if (!existsSync(summaryPath)) return undefined;
  try {
    const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as { threshold?: unknown; modelKind?: unknown; outputs?: { detections?: unknown } };
    const named = typeof s.outputs?.detections === 'string' ? s.outputs.detections : undefined;
    // the summary must describe this very file, not an older run written elsewhere
    if (named === undefined || !sameFile(named, detectionsPath, dirname(summaryPath))) return undefined;
    return { threshold: typeof s.threshold === 'number' ? s.threshold : null, kind: typeof s.modelKind === 'string' ? s.modelKind : undefined };
  } catch {
    return undefined;
  }
}

function sameFile(named: string, actual: string, summaryDir: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return undefined;
    }
  };
  const target = real(actual);
  return target !== undefined && (real(named) === target || real(join(summaryDir, basename(named))) === target);
}

async function summarizeDetections(path: string): Promise<DetectionSummary> {
  const facts = modelFacts(path);
  let builder: DetectionSummaryBuilder | undefined;
  let at: Record<'id' | 'time' | 'src' | 'dst' | 'srcPort' | 'dstPort' | 'score' | 'verdict' | 'cls', number> | undefined;
  for await (const item of csvRows(path)) {
    if ('header' in item) {
      const h = item.header;
      const id = firstOf(h, ID_COLUMNS);
      at = {
        id: id.index,
        time: firstOf(h, TIME_COLUMNS).index,
        src: firstOf(h, SRC_COLUMNS).index,
        dst: firstOf(h, DST_COLUMNS).index,
        srcPort: firstOf(h, SRC_PORT_COLUMNS).index,
        dstPort: firstOf(h, DST_PORT_COLUMNS).index,
        score: h.indexOf('score'),
        verdict: h.indexOf('verdict'),
        cls: h.indexOf('predicted_class'),
      };
      const classes = at.cls >= 0;
      builder = new DetectionSummaryBuilder({
        threshold: facts?.threshold,
        classDecided: facts?.kind !== undefined ? facts.kind === 'rf' : classes,
        idName: id.name === 'row' ? 'row' : id.name,
        has: { id: at.id >= 0, time: at.time >= 0, addresses: at.src >= 0 || at.dst >= 0, ports: at.srcPort >= 0, classes },
      });
      continue;
    }
    const c = item.cells;
    const a = at!;
    const score = Number(c[a.score]);
    const verdict = c[a.verdict];
    if (!Number.isFinite(score) || (verdict !== 'NORMAL' && verdict !== 'SUSPICIOUS')) {
      throw new BadDataError(
        `${path}, line ${item.row + 1}: expected a numeric score and a verdict NORMAL or SUSPICIOUS, found "${c[a.score] ?? ''}" and "${verdict ?? ''}"`,
        'write the file again with `netml detect`',
      );
    }
    const record: DetectionRecord = {
      row: item.row,
      id: a.id >= 0 ? (c[a.id] ?? '') : String(item.row),
      timeS: a.time >= 0 ? parseTime(c[a.time]) : Number.NaN,
      src: a.src >= 0 ? (c[a.src] ?? '') : '',
      dst: a.dst >= 0 ? (c[a.dst] ?? '') : '',
      srcPort: a.srcPort >= 0 ? int(c[a.srcPort]) : -1,
      dstPort: a.dstPort >= 0 ? int(c[a.dstPort]) : -1,
      score,
      suspicious: verdict === 'SUSPICIOUS',
      predictedClass: a.cls >= 0 ? (c[a.cls] ?? '') : '',
    };
    builder!.add(record);
  }
  if (!builder) throw new BadDataError(`${path} has no header line`, 'write the file again with `netml detect`');
  return builder.finish();
}
