// `netml capture`: the first pipeline stage. Frames come from libpcap (live) or a capture file (--read)
// and leave as dataset/capture.pcap plus dataset/packets.csv; this file only wires options to that loop.

import type { Command } from 'commander';
import { openCaptureFile } from '../capture/capture-file.js';
import type { CaptureInterface, CaptureWarning, FrameBatch } from '../capture/frame-batch.js';
import { ExitCode, UsageError } from '../errors.js';
import { giveToInvokingUser } from '../io/file-ownership.js';
import { makeOutputDirectory } from '../io/atomic-text-file.js';
import { refuseOverlappingPaths, samePath } from '../io/output-paths.js';
import { type DecodeProblem, PacketRecorder } from '../io/packet-recorder.js';
import { formatBytes, formatCount, formatRate, formatSeconds } from '../viz/format.js';
import { keyValueTable, tableWidth, useColour } from '../viz/table.js';
import { captureWarningText } from './capture-warning-text.js';
import { Interruption } from './interruption.js';
import type { CliIo } from './main.js';
import { parseNonNegativeInt, parsePositiveInt, parsePositiveNumber } from './option-parsers.js';
import { StatusLine } from './status-line.js';

export interface CaptureOptions {
  interface?: string;
  filter?: string;
  count?: number;
  duration?: number;
  snaplen: number;
  promisc?: boolean;
  read?: string;
  pcapOut: string;
  pcap: boolean;
  csvOut: string;
  json?: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  sudo netml capture                               capture on the first up interface until Ctrl+C
  sudo netml capture -i eth0 -f 'tcp port 443' -c 1000
  sudo netml capture -i wlan0 --duration 60 --promisc
  netml capture --read trace.pcapng                decode a capture file instead of the network
  netml capture --read big.pcap --no-pcap --json   only packets.csv, summary as JSON on stdout

Outputs (paths are options):
  dataset/capture.pcap   every frame, for tshark/Wireshark and for later stages (pcapng when the input was pcapng)
  dataset/packets.csv    one row per packet; columns documented in README ("packets.csv columns")

Live capture needs root or CAP_NET_RAW: run with sudo, or once
  sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(which node)")"
Exit codes: 0 ok (a live capture stopped by Ctrl+C too), 64 bad usage, 65 bad input data, 66 missing input,
73 cannot write, 77 no permission, 130 a --read interrupted by Ctrl+C (the packets before it are kept).`;

export function registerCapture(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('capture')
    .summary('capture packets (live or from a file) into dataset/capture.pcap and dataset/packets.csv')
    .description(
      'Capture packets live through libpcap until Ctrl+C (or --count/--duration), or read a pcap/pcapng file with --read, ' +
        'decode every frame and write the frames to a capture file and one CSV row per packet.',
    )
    .option('-i, --interface <name>', 'network interface to capture on (default: the first one that is up and not loopback)')
    .option('-f, --filter <bpf>', "BPF capture filter, as in tcpdump, e.g. 'tcp port 80 or icmp'")
    .option('-c, --count <n>', 'stop after this many packets', parsePositiveInt)
    .option('--duration <seconds>', 'stop after this many seconds', parsePositiveNumber)
    .option('--snaplen <bytes>', 'bytes kept of each frame (live capture)', parseNonNegativeInt, 262144)
    .option('--promisc', 'put the interface into promiscuous mode (see traffic not addressed to this host)')
    .option('-r, --read <file>', 'read this pcap or pcapng file instead of capturing live (format detected from its content)')
    .option('-w, --pcap-out <path>', 'where to write the captured frames', 'dataset/capture.pcap')
    .option('--no-pcap', 'do not write the frames, only packets.csv')
    .option('-o, --csv-out <path>', 'where to write one row per packet', 'dataset/packets.csv')
    .option('--json', 'print the final summary as JSON on stdout')
    .option('-q, --quiet', 'no status line and no summary table (errors and warnings still go to stderr)')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: CaptureOptions) => {
      checkOutputPaths(opts);
      result.exitCode = opts.read !== undefined ? await captureFromFile(opts, io) : await captureLive(opts, io);
    });
}

interface CaptureSummary {
  source: string;
  format?: string;
  interface?: string;
  linkTypes: number[];
  packets: number;
  wireBytes: number;
  capturedBytes: number;
  cutBySnapLength: number;
  firstPacketTime: number | null;
  lastPacketTime: number | null;
  elapsedSeconds: number;
  packetsPerSecond: number;
  decodeProblems: DecodeProblem[];
  warnings: CaptureWarning[];
  interrupted: boolean;
  libpcap?: { received: number; droppedByKernel: number; droppedByInterface: number; droppedByNetml: number };
  outputs: { csv: string | null; pcap: string | null };
}

async function captureFromFile(opts: CaptureOptions, io: CliIo): Promise<number> {
  if (opts.interface !== undefined || opts.filter !== undefined || opts.promisc) {
    throw new UsageError('--interface, --filter and --promisc apply to live capture, not to --read', 'drop them, or drop --read to capture live');
  }
  const inputPath = opts.read!;
  const reader = await openCaptureFile(inputPath);
  let pcapPath = opts.pcap ? opts.pcapOut : undefined;
  if (pcapPath && samePath(inputPath, pcapPath)) pcapPath = undefined; // re-decoding dataset/capture.pcap: keep it as it is
  const outputs = prepareOutputs(opts.csvOut, pcapPath);
  const recorder = new PacketRecorder({ ...outputs, pcapFormat: reader.format === 'pcapng' ? 'pcapng' : 'pcap', atomic: true });
  const status = new StatusLine(io.stderr, opts.quiet === true);
  const started = performance.now();
  let problems: DecodeProblem[] = [];
  const showProgress = () => {
    const elapsed = (performance.now() - started) / 1000;
    const share = reader.fileSizeBytes > 0 ? (100 * reader.bytesRead) / reader.fileSizeBytes : 100;
    status.update(`reading ${inputPath}: ${share.toFixed(0)}%  ${formatCount(recorder.tally.packets)} packets  ${formatRate(recorder.tally.packets / elapsed, 'pkt')}`);
  };
  const timer = status.enabled ? setInterval(showProgress, 250) : undefined;
  const interruption = new Interruption({ once: true });
  let timeWarning: CaptureWarning | undefined;
  try {
    for await (const batch of reader.batches()) {
      const done = limitToCount(batch, recorder.tally.packets, opts.count);
      const first = clampTimes(batch, reader.format === 'pcapng' ? MAX_PCAPNG_COPY_EPOCH_S : MAX_PCAP_COPY_EPOCH_S);
      if (first >= 0 && !timeWarning) {
        timeWarning = {
          byteOffset: 0,
          packetNumber: 0,
          message: `packet ${formatCount(batch.firstPacketNumber + first)} (and any later one like it) has a time the copy cannot hold (before 1970, or after ${reader.format === 'pcapng' ? '2514' : '2106 in a classic pcap'}: a corrupt timestamp or if_tsoffset); packets.csv and the copy hold it clamped to that range`,
        };
      }
      recorder.record(batch, reader.interfaces);
      if (done || interruption.interrupted) break;
      await recorder.waitForRoom();
    }
    problems = await recorder.close(reader.interfaces);
  } catch (err) {
    recorder.abandon();
    throw err;
  } finally {
    if (timer) clearInterval(timer);
    status.clear();
    interruption.release();
    await reader.close();
  }
  for (const path of [outputs.csvPath, outputs.pcapPath]) if (path) giveToInvokingUser(path);
  const warnings = [...reader.warnings, ...(timeWarning ? [timeWarning] : [])];
  if (recorder.tally.packets === 0 && warnings.length === 0 && !interruption.interrupted) {
    warnings.push({ byteOffset: reader.fileSizeBytes, packetNumber: 0, message: 'the file holds no packets, only its header' });
  }
  const elapsed = (performance.now() - started) / 1000;
  const summary: CaptureSummary = {
    source: inputPath,
    format: reader.format,
    linkTypes: [...new Set(reader.interfaces.map((i) => i.linkType))],
    ...recorderFigures(recorder, problems, elapsed),
    warnings,
    interrupted: interruption.interrupted,
    outputs: { csv: outputs.csvPath ?? null, pcap: outputs.pcapPath ?? null },
  };
  report(summary, opts, io);
  return interruption.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

async function captureLive(opts: CaptureOptions, io: CliIo): Promise<number> {
  const { openLiveCapture } = await import('../capture/live-capture.js');
  const outputs = prepareOutputs(opts.csvOut, opts.pcap ? opts.pcapOut : undefined);
  const capture = await openLiveCapture({
    interfaceName: opts.interface,
    filter: opts.filter,
    snapLen: opts.snaplen,
    promiscuous: opts.promisc === true,
  });
  const interfaces: CaptureInterface[] = [
    { linkType: capture.linkType, snapLen: capture.snapLen, name: capture.interfaceName, tsResolutionDigits: 6 },
  ];
  const recorder = new PacketRecorder({ ...outputs, pcapFormat: 'pcap', atomic: false });
  const status = new StatusLine(io.stderr, opts.quiet === true);
  if (!opts.quiet) {
    const how = opts.count ? `until ${opts.count} packets` : opts.duration ? `for ${opts.duration} s` : 'until Ctrl+C';
    io.stderr.write(`capturing on ${capture.interfaceName}${opts.filter ? ` with filter '${opts.filter}'` : ''} ${how}\n`);
  }
  const started = performance.now();
  const stop = () => capture.stop();
  const interruption = new Interruption({ then: stop });
  const durationTimer = opts.duration ? setTimeout(stop, opts.duration * 1000) : undefined;
  let lastShown = { t: started, packets: 0 };
  let problems: DecodeProblem[] = [];
  const tick = setInterval(() => {
    recorder.flush(); // a crash or kill -9 then loses at most a second of packets
    const now = performance.now();
    const { packets, wireBytes } = recorder.tally;
    const rate = ((packets - lastShown.packets) * 1000) / Math.max(1, now - lastShown.t);
    lastShown = { t: now, packets };
    const s = capture.stats();
    status.update(
      `${capture.interfaceName}: ${formatCount(packets)} packets  ${formatRate(rate, 'pkt')}  ${formatBytes(wireBytes)}  kernel drops ${formatCount(s.droppedByKernel)}`,
    );
  }, 1000);
  try {
    for await (const batch of capture.batches()) {
      const done = limitToCount(batch, recorder.tally.packets, opts.count);
      recorder.record(batch, interfaces);
      if (done) stop();
      await recorder.waitForRoom();
    }
    problems = await recorder.close(interfaces);
  } catch (err) {
    recorder.flush();
    throw err;
  } finally {
    clearInterval(tick);
    if (durationTimer) clearTimeout(durationTimer);
    status.clear();
    interruption.release();
  }
  for (const path of [outputs.csvPath, outputs.pcapPath]) if (path) giveToInvokingUser(path);
  const stats = capture.stats();
  const elapsed = (performance.now() - started) / 1000;
  const summary: CaptureSummary = {
    source: 'live',
    interface: capture.interfaceName,
    linkTypes: [capture.linkType],
    ...recorderFigures(recorder, problems, elapsed),
    warnings: [],
    interrupted: interruption.interrupted,
    libpcap: stats,
    outputs: { csv: outputs.csvPath ?? null, pcap: outputs.pcapPath ?? null },
  };
  report(summary, opts, io);
  // a signal is how a live capture is meant to end, so it is a success
  return ExitCode.ok;
}

/** Cuts the batch so that no more than `count` packets are recorded in all; true when the count is reached. */
function limitToCount(batch: FrameBatch, recorded: number, count: number | undefined): boolean {
  if (count === undefined) return false;
  if (recorded + batch.count >= count) {
    batch.count = Math.max(0, count - recorded);
    return true;
  }
  return false;
}

function recorderFigures(recorder: PacketRecorder, decodeProblems: DecodeProblem[], elapsedSeconds: number) {
  const t = recorder.tally;
  return {
    packets: t.packets,
    wireBytes: t.wireBytes,
    capturedBytes: t.capturedBytes,
    cutBySnapLength: t.cutBySnapLength,
    firstPacketTime: Number.isFinite(t.firstTs) ? t.firstTs : null,
    lastPacketTime: Number.isFinite(t.lastTs) ? t.lastTs : null,
    elapsedSeconds,
    packetsPerSecond: elapsedSeconds > 0 ? t.packets / elapsedSeconds : 0,
    decodeProblems,
  };
}

function prepareOutputs(csvPath: string | undefined, pcapPath: string | undefined): { csvPath?: string; pcapPath?: string } {
  for (const path of [csvPath, pcapPath]) if (path) makeOutputDirectory(path);
  return { csvPath, pcapPath };
}

/** The latest second a capture copy holds: pcapng nanoseconds in 64 bits (the year 2514), pcap's 32-bit seconds (2106). */
const MAX_PCAPNG_COPY_EPOCH_S = 2 ** 34 - 1;
const MAX_PCAP_COPY_EPOCH_S = 2 ** 32 - 1;

/**
 * The reader converts any timestamp exactly, but the copy holds 1970..maxSec: a time outside (a negative
 * if_tsoffset, a corrupt high word, a pcap fraction carried past 2^32 s) is clamped into it, in packets.csv too. Returns the first clamped index or -1.
 */
function clampTimes(batch: FrameBatch, maxSec: number): number {
  let first = -1;
  for (let i = 0; i < batch.count; i++) {
    const sec = batch.tsSec[i];
    if (sec >= 0 && sec <= maxSec) continue;
    if (first < 0) first = i;
    if (sec < 0) {
      batch.tsSec[i] = 0;
      batch.tsNsec[i] = 0;
    } else {
      batch.tsSec[i] = maxSec;
    }
  }
  return first;
}

/** packets.csv and the copy must not be the capture read, nor each other. */
function checkOutputPaths(opts: CaptureOptions): void {
  // re-reading the copy itself (dataset/capture.pcap) writes no copy: see captureFromFile
  const copy = opts.pcap && !(opts.read !== undefined && samePath(opts.read, opts.pcapOut)) ? opts.pcapOut : undefined;
  refuseOverlappingPaths(
    [
      ['--csv-out', opts.csvOut],
      ['--pcap-out', copy],
    ],
    [['--read', opts.read]],
  );
}

function report(summary: CaptureSummary, opts: CaptureOptions, io: CliIo): void {
  for (const w of summary.warnings) io.stderr.write(`${captureWarningText(summary.source, w)}\n`);
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  if (opts.quiet) return;
  const span = summary.firstPacketTime !== null && summary.lastPacketTime !== null ? summary.lastPacketTime - summary.firstPacketTime : 0;
  const rows: [string, string][] = [
    ['source', summary.interface ? `live on ${summary.interface}` : `${summary.source} (${summary.format})`],
    ['packets', formatCount(summary.packets)],
    ['bytes on the wire', formatBytes(summary.wireBytes)],
    ['traffic time span', formatSeconds(span)],
    ['processing', `${formatSeconds(summary.elapsedSeconds)} (${formatRate(summary.packetsPerSecond, 'pkt')})`],
  ];
  if (summary.libpcap) {
    rows.push(['received by libpcap', formatCount(summary.libpcap.received)]);
    rows.push(['dropped by kernel', formatCount(summary.libpcap.droppedByKernel)]);
    rows.push(['dropped by interface', formatCount(summary.libpcap.droppedByInterface)]);
    if (summary.libpcap.droppedByNetml > 0) rows.push(['dropped by netml (too slow)', formatCount(summary.libpcap.droppedByNetml)]);
  }
  if (summary.cutBySnapLength > 0) {
    rows.push(['cut by snap length', `${formatCount(summary.cutBySnapLength)} packets captured shorter than on the wire`]);
  }
  for (const p of summary.decodeProblems) {
    rows.push([`${p.status} packets`, `${formatCount(p.count)} (first: packet ${p.firstPacketNumber}, ${p.firstDetail})`]);
  }
  if (summary.interrupted && !summary.libpcap) rows.push(['interrupted', 'yes: the outputs hold the packets read before Ctrl+C']);
  const written = [summary.outputs.pcap, summary.outputs.csv].filter((p): p is string => p !== null);
  rows.push(['wrote', written.length > 0 ? written.join('\n') : 'nothing (--no-pcap and no CSV)']);
  io.stdout.write(`${keyValueTable(rows, useColour(io.stdout), tableWidth(io.stdout))}\n`);
}
