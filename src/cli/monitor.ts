// `netml monitor`: a live terminal dashboard over libpcap (upload/download KB/s scrolling charts, packet
// rate, totals, kernel drops, top destinations, recent packets), and with --model a verdict for every flow
// as it ends: flows go through the same flow table and feature groups as `netml extract --level flow`, and a
// wall-clock tick expires idle ones so a flow is judged even when traffic stops. This file wires the capture,
// the clock, the screen and the log; the state and the drawing are pure (src/viz/monitor-*.ts).

import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { LiveCapture } from '../capture/live-capture.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { PacketMeta } from '../decode/packet-meta.js';
import { BadDataError, ExitCode, outputFileError, UsageError } from '../errors.js';
import { CellFormat, FlowRow } from '../features/feature-group.js';
import { giveToInvokingUser, makeDirectoryForInvokingUser } from '../io/file-ownership.js';
import { FlowExtraction } from '../io/flow-extraction.js';
import { detect } from '../ml/detector.js';
import { featureMatrix } from '../ml/feature-matrix.js';
import type { NetmlModel } from '../ml/model-file.js';
import { FLOWS_SCHEMA_VERSION } from '../schema/flow-columns.js';
import { formatBytes, formatCount, formatSeconds } from '../viz/format.js';
import { type LocalAddresses, localNetworks } from '../viz/local-addresses.js';
import { figuresLine, kbPerS, renderDashboard } from '../viz/monitor-dashboard.js';
import { type IntervalFigures, type JudgedFlow, MonitorState } from '../viz/monitor-state.js';
import { addressFromWords, packetRecordFromMeta } from '../viz/packet-record.js';
import { keyValueTable, tableWidth, useColour } from '../viz/table.js';
import { Interruption } from './interruption.js';
import type { CliIo } from './main.js';
import { collectNetworks, parsePositiveNumber } from './option-parsers.js';

export interface MonitorOptions {
  interface?: string;
  filter?: string;
  model?: string;
  interval: number;
  log?: string;
  duration?: number;
  local?: string[];
  idleTimeout: number;
}

/** The columns of --log: one `interval` row per interval, one `suspicious` row per suspicious flow. */
export const MONITOR_LOG_COLUMNS = [
  'time_s',
  'kind',
  'interval_s',
  'upload_bytes_per_s',
  'download_bytes_per_s',
  'packets_per_s',
  'packets',
  'bytes',
  'total_packets',
  'total_bytes',
  'kernel_drops',
  'flows_judged',
  'flows_suspicious',
  'protocol',
  'src_addr',
  'src_port',
  'dst_addr',
  'dst_port',
  'flow_packets',
  'score',
  'predicted_class',
] as const;
export const MONITOR_LOG_HEADER = MONITOR_LOG_COLUMNS.join(',');

const EXAMPLES = `
Examples:
  sudo netml monitor                              the first interface that is up, refreshed every second
  sudo netml monitor -i wlan0 -f 'not port 22' --log results/monitor.csv
  sudo netml monitor --model models/iforest.json  a verdict for every flow as it ends or goes idle

The screen is redrawn in place; Ctrl+C restores the terminal and prints a summary. When stdout is not a
terminal, one line of figures is printed per interval instead. Upload and download are relative to the
interface's own addresses (or --local). KB = 1000 bytes.
--log appends to a CSV (created with a header): an "interval" row per interval and a "suspicious" row per
suspicious flow; columns: ${MONITOR_LOG_HEADER}.
Live capture needs root or CAP_NET_RAW: run with sudo, or once
  sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(which node)")"
Exit codes: 0 ok (also after Ctrl+C), 64 bad usage, 65 a model or log file of another kind, 66 missing model,
73 cannot write the log, 77 no permission.`;

export function registerMonitor(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('monitor')
    .summary('live dashboard: upload/download rates, top destinations, recent packets, verdicts with --model')
    .description('Watch an interface live: rates as scrolling charts, totals and kernel drops, top destinations and the most recent packets, and with a model the verdict on every flow as it ends.')
    .option('-i, --interface <name>', 'network interface (default: the first one that is up and not loopback)')
    .option('-f, --filter <bpf>', "BPF capture filter, as in tcpdump, e.g. 'not port 22'")
    .option('-m, --model <path>', 'judge every flow with this model (trained by `netml train` on --level flow features)')
    .option('--interval <seconds>', 'refresh and log interval', parsePositiveNumber, 1)
    .option('--log <path>', 'append the per-interval figures and the suspicious flows to this CSV')
    .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl+C)', parsePositiveNumber)
    .option('--local <cidr>', "local network(s) for upload/download (default: the interface's addresses); repeatable or comma-separated", collectNetworks)
    .option('--idle-timeout <seconds>', 'with --model: a flow silent this long is ended and judged', parsePositiveNumber, 15)
    .addHelpText('after', EXAMPLES)
    .action(async (opts: MonitorOptions) => {
      result.exitCode = await monitorCommand(opts, io);
    });
}

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l'; // alternate screen, cursor hidden
const LEAVE_SCREEN = '\x1b[?1049l\x1b[?25h'; // main screen back as it was, then the cursor shown (some terminals restore the mode with the screen)
const HOME = '\x1b[H';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

async function monitorCommand(opts: MonitorOptions, io: CliIo): Promise<number> {
  checkMonitorOptions(opts);
  const model = opts.model !== undefined ? await loadFlowModel(opts.model) : undefined;
  if (opts.log !== undefined) prepareLog(opts.log);
  const { openLiveCapture } = await import('../capture/live-capture.js');
  const capture = await openLiveCapture({ interfaceName: opts.interface, filter: opts.filter, snapLen: 262144, promiscuous: false });
  const local = localAddressesFor(capture.interfaceName, opts.local);
  const startedS = Date.now() / 1000;
  const state = new MonitorState(local, startedS);
  const judge = model ? new FlowJudge(model, opts.idleTimeout, (flow) => onFlow(flow)) : undefined;
  const screen = io.stdout.isTTY === true;
  const colour = useColour(io.stdout);
  const source = `${capture.interfaceName}${opts.filter ? `, filter '${opts.filter}'` : ''}`;
  const log = opts.log;

  function onFlow(flow: JudgedFlow): void {
    state.addFlow(flow);
    if (log && flow.suspicious) appendLog(log, suspiciousRow(flow));
  }

  const draw = () => {
    if (!screen) return;
    const lines = renderDashboard(state, {
      width: io.stdout.columns ?? 80,
      height: (io.stdout as { rows?: number }).rows ?? 24,
      colour,
      source,
      model: opts.model,
      intervalS: opts.interval,
      nowS: Date.now() / 1000,
    });
    // no full clear: each line overwrites the last frame's and clears what is left of it, so nothing flickers
    io.stdout.write(`${HOME}${lines.map((l) => `${l}${CLEAR_LINE_END}`).join('\n')}\n${CLEAR_BELOW}`);
  };

  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    const nowS = Date.now() / 1000;
    judge?.tick(nowS);
    const figures = state.closeInterval(nowS, (now - last) / 1000, capture.stats().droppedByKernel);
    last = now;
    if (log) appendLog(log, intervalRow(figures));
    if (screen) draw();
    else io.stdout.write(`${new Date(nowS * 1000).toISOString().slice(11, 19)}  ${figuresLine(figures, judge !== undefined)}\n`);
  };

  const stop = () => capture.stop();
  const interruption = new Interruption({ then: stop });
  const onResize = () => draw();
  if (screen) {
    io.stdout.write(ENTER_SCREEN);
    io.stdout.on('resize', onResize);
    draw();
  }
  const timer = setInterval(tick, opts.interval * 1000);
  const durationTimer = opts.duration ? setTimeout(stop, opts.duration * 1000) : undefined;
  try {
    await readPackets(capture, state, judge);
  } finally {
    clearInterval(timer);
    if (durationTimer) clearTimeout(durationTimer);
    interruption.release();
    if (screen) {
      io.stdout.removeListener('resize', onResize);
      io.stdout.write(LEAVE_SCREEN);
    }
  }
  // the part of an interval since the last tick, and every flow still open, are judged and logged too
  const elapsed = (performance.now() - last) / 1000;
  judge?.finish();
  if (elapsed > 0.05 || state.intervals === 0) {
    const figures = state.closeInterval(Date.now() / 1000, elapsed, capture.stats().droppedByKernel);
    if (log) appendLog(log, intervalRow(figures));
  }
  printSummary(state, capture, opts, io, interruption.interrupted);
  return ExitCode.ok;
}

async function readPackets(capture: LiveCapture, state: MonitorState, judge: FlowJudge | undefined): Promise<void> {
  const meta = new PacketMeta();
  for await (const batch of capture.batches()) {
    for (let i = 0; i < batch.count; i++) {
      const start = batch.start[i];
      const wireLen = batch.wireLen[i];
      decodeFrame(batch.bytes, start, start + batch.capLen[i], batch.linkType[i], meta, wireLen);
      state.addPacket(packetRecordFromMeta(meta, batch.tsSec[i] + batch.tsNsec[i] / 1e9, wireLen));
      judge?.addPacket(meta, batch.tsSec[i], batch.tsNsec[i], wireLen);
    }
  }
}

function printSummary(state: MonitorState, capture: LiveCapture, opts: MonitorOptions, io: CliIo, interrupted: boolean): void {
  const seconds = Date.now() / 1000 - state.startedS;
  const stats = capture.stats();
  const rows: [string, string][] = [
    ['monitored', `${capture.interfaceName}${opts.filter ? ` (filter '${opts.filter}')` : ''} for ${formatSeconds(seconds)}${interrupted ? ', stopped by Ctrl+C' : ''}`],
    ['packets', `${formatCount(state.totalPackets)} (${formatBytes(state.totalBytes)})`],
    ['upload', `${formatBytes(state.uploadBytes)}, average ${kbPerS(state.uploadBytes / Math.max(seconds, 1e-9))}, peak ${kbPerS(state.peakUpload)}`],
    ['download', `${formatBytes(state.downloadBytes)}, average ${kbPerS(state.downloadBytes / Math.max(seconds, 1e-9))}, peak ${kbPerS(state.peakDownload)}`],
    ['local addresses', state.local.description],
    ['dropped by kernel', formatCount(stats.droppedByKernel)],
  ];
  if (opts.model) rows.push(['flows judged', `${formatCount(state.flowsJudged)}: ${formatCount(state.flowsSuspicious)} SUSPICIOUS (model ${opts.model})`]);
  const top = state.topDestinations(3).map((d) => `${d.address} ${formatBytes(d.bytes)}`);
  if (top.length > 0) rows.push(['top destinations', top.join('\n')]);
  if (opts.log) rows.push(['log', `${opts.log} (${formatCount(state.intervals)} intervals appended)`]);
  io.stdout.write(`${keyValueTable(rows, useColour(io.stdout), tableWidth(io.stdout))}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// Local addresses

function localAddressesFor(interfaceName: string, specs: string[] | undefined): LocalAddresses {
  if (specs && specs.length > 0) return localNetworks(specs, 'option');
  const all = networkInterfaces();
  const own = (all[interfaceName] ?? []).map((a) => a.address.split('%')[0]);
  if (own.length > 0) return localNetworks(own, 'host');
  // pseudo-devices (any, nflog) have no addresses of their own: every address of this host is local
  const host = Object.values(all)
    .flatMap((list) => list ?? [])
    .map((a) => a.address.split('%')[0]);
  return localNetworks(host, 'host');
}

// ---------------------------------------------------------------------------------------------------------
// The log

function prepareLog(path: string): void {
  try {
    makeDirectoryForInvokingUser(dirname(resolve(path)));
  } catch (err) {
    throw outputFileError(path, err);
  }
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    const header = text.split('\n')[0];
    if (text.length > 0 && header !== MONITOR_LOG_HEADER) {
      throw new BadDataError(`${path} exists and is not a monitor log (its first line is "${header.slice(0, 60)}")`, 'give another --log path, or move that file away');
    }
    if (text.length > 0) {
      // a log cut mid-line by a crash: the next row starts on a line of its own
      if (!text.endsWith('\n')) appendLog(path, '');
      return;
    }
  }
  appendLog(path, MONITOR_LOG_HEADER);
  giveToInvokingUser(path);
}

/** One whole line per call (appendFileSync): Ctrl+C or a crash never leaves half a row. */
function appendLog(path: string, line: string): void {
  try {
    appendFileSync(path, `${line}\n`);
  } catch (err) {
    throw outputFileError(path, err);
  }
}

const num = (v: number, digits = 3) => (Number.isInteger(v) ? String(v) : v.toFixed(digits));

export function intervalRow(f: IntervalFigures): string {
  const cells: Record<string, string> = {
    time_s: f.timeS.toFixed(3),
    kind: 'interval',
    interval_s: f.intervalS.toFixed(3),
    upload_bytes_per_s: num(f.uploadBytesPerS),
    download_bytes_per_s: num(f.downloadBytesPerS),
    packets_per_s: num(f.packetsPerS),
    packets: String(f.packets),
    bytes: String(f.bytes),
    total_packets: String(f.totalPackets),
    total_bytes: String(f.totalBytes),
    kernel_drops: String(f.kernelDrops),
    flows_judged: String(f.flowsJudged),
    flows_suspicious: String(f.flowsSuspicious),
  };
  return MONITOR_LOG_COLUMNS.map((c) => cells[c] ?? '').join(',');
}

export function suspiciousRow(flow: JudgedFlow): string {
  const cells: Record<string, string> = {
    time_s: flow.timeS.toFixed(3),
    kind: 'suspicious',
    protocol: flow.protocol,
    src_addr: flow.src,
    src_port: flow.srcPort >= 0 ? String(flow.srcPort) : '',
    dst_addr: flow.dst,
    dst_port: flow.dstPort >= 0 ? String(flow.dstPort) : '',
    flow_packets: String(flow.packets),
    score: flow.score.toFixed(6),
    predicted_class: /[",\n]/.test(flow.predictedClass) ? `"${flow.predictedClass.replace(/"/g, '""')}"` : flow.predictedClass,
  };
  return MONITOR_LOG_COLUMNS.map((c) => cells[c] ?? '').join(',');
}

// ---------------------------------------------------------------------------------------------------------
// Verdicts

async function loadFlowModel(path: string): Promise<NetmlModel> {
  const { loadModel } = await import('./detect.js');
  const model = loadModel(path);
  if (model.schemaVersion !== FLOWS_SCHEMA_VERSION) {
    throw new BadDataError(
      `${path} was trained on ${model.schemaVersion} features; monitor judges flows (${FLOWS_SCHEMA_VERSION})`,
      'train a model on `netml extract --level flow` features, or run monitor without --model',
    );
  }
  if (model.derivedFeatures !== null) {
    throw new BadDataError(
      `${path} learned ${model.derivedFeatures} features, which are derived from whole windows of a finished flow table; monitor judges each flow as it ends`,
      'for monitor, train with the flow columns (`netml train` without --features); score captures with the other model through `netml detect`',
    );
  }
  return model;
}

/**
 * Flows of the live traffic through the extract stage's flow table and feature groups; each row that
 * completes (FIN/RST, idle by the clock tick, or at the end) becomes a feature vector in the model's column
 * order, rounded as features.csv writes it, and is scored at once.
 */
class FlowJudge {
  private readonly extraction: FlowExtraction;
  private readonly model: NetmlModel;
  private readonly row: FlowRow;
  /** for each model feature: its column in the rows and how to read it */
  private readonly columns: Int32Array;
  private readonly seconds: Uint8Array;
  private readonly values: Float64Array;
  private readonly at: { src: number; dst: number; srcPort: number; dstPort: number; protocol: number; packets: number[] };

  constructor(model: NetmlModel, idleTimeoutS: number, onFlow: (flow: JudgedFlow) => void) {
    this.model = model;
    this.extraction = new FlowExtraction({ idleTimeoutS });
    const names = this.extraction.columnNames;
    const formats = this.extraction.formats;
    this.columns = new Int32Array(model.featureNames.length);
    this.seconds = new Uint8Array(model.featureNames.length);
    model.featureNames.forEach((name, i) => {
      const c = names.indexOf(name);
      if (c < 0) throw new BadDataError(`the model needs the feature "${name}", which this netml's flow features do not have`, 'train the model again with this version of netml');
      this.columns[i] = c;
      this.seconds[i] = formats[c] === CellFormat.seconds ? 1 : 0;
    });
    this.values = new Float64Array(model.featureNames.length);
    this.at = {
      src: names.indexOf('src_addr'),
      dst: names.indexOf('dst_addr'),
      srcPort: names.indexOf('src_port'),
      dstPort: names.indexOf('dst_port'),
      protocol: names.indexOf('protocol'),
      packets: ['fwd_packets', 'bwd_packets'].map((n) => names.indexOf(n)).filter((c) => c >= 0),
    };
    this.row = new FlowRow(this.extraction.layout);
    const row = this.row;
    this.extraction.attach({
      nextRow: () => row,
      commit: () => onFlow(this.judge(row)),
    });
  }

  addPacket(meta: PacketMeta, tsSec: number, tsNsec: number, wireLen: number): void {
    this.extraction.addPacket(meta, tsSec, tsNsec, wireLen);
  }

  tick(nowS: number): void {
    this.extraction.table.tick(nowS);
  }

  finish(): void {
    this.extraction.finish();
  }

  private judge(row: FlowRow): JudgedFlow {
    const n = row.numbers;
    for (let i = 0; i < this.columns.length; i++) {
      const v = n[this.columns[i]];
      // as features.csv holds them: seconds from nanoseconds with 9 decimals, other decimals with 6
      this.values[i] = this.seconds[i] ? v / 1e9 : Math.round(v * 1e6) / 1e6;
    }
    const d = detect(this.model, featureMatrix(this.values, 1, this.values.length));
    const at = this.at;
    return {
      timeS: Date.now() / 1000,
      protocol: at.protocol >= 0 ? textCell(row, at.protocol) : '',
      src: at.src >= 0 ? addressCell(row, at.src) : '',
      dst: at.dst >= 0 ? addressCell(row, at.dst) : '',
      srcPort: at.srcPort >= 0 ? n[at.srcPort] : -1,
      dstPort: at.dstPort >= 0 ? n[at.dstPort] : -1,
      packets: at.packets.reduce((s, c) => s + n[c], 0),
      score: d.score[0],
      suspicious: d.suspicious[0] === 1,
      predictedClass: d.predictedClass && this.model.classes ? this.model.classes[d.predictedClass[0]] : '',
    };
  }
}

/** Words of an address cell: 4 address words then the IPv6 flag (FlowRow.address). */
function addressCell(row: FlowRow, column: number): string {
  const at = row.layout.slotOf[column] * 5;
  return addressFromWords(row.words, at, row.words[at + 4] === 1);
}

function textCell(row: FlowRow, column: number): string {
  const at = row.layout.slotOf[column] * row.layout.textBytes;
  return Buffer.from(row.textBytes.subarray(at, at + row.numbers[column])).toString('latin1');
}

export function checkMonitorOptions(opts: Pick<MonitorOptions, 'interval' | 'duration'>): void {
  if (opts.duration !== undefined && opts.duration < opts.interval) throw new UsageError(`--duration ${opts.duration} is shorter than one --interval (${opts.interval} s)`);
}
