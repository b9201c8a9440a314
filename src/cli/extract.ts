// `netml extract`: the second pipeline stage. Captures in (pcap, pcapng, or the capture stage's
// packets.csv), one feature table out: one row per flow (--level flow, netml's columns or CICFlowMeter's
// with --format cic), per host and time window (--level host) or per packet (--level packet). This file
// only wires options to the extraction loop in src/io/flow-extraction.ts and reports what happened.

import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CaptureWarning } from '../capture/frame-batch.js';
import { decodeStatusNames } from '../decode/packet-meta.js';
import { ExitCode, inputFileError, MissingInputError, UsageError } from '../errors.js';
import type { LabelRule } from '../features/flow-labels.js';
import { endReasonNames, DEFAULT_ACTIVE_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S } from '../flow/flow-table.js';
import { FileSink, replaceableByRename, temporaryPath, trackTempFile, untrackTempFile } from '../io/file-sink.js';
import { giveToInvokingUser } from '../io/file-ownership.js';
import { checkOutputs, type NamedPath } from '../io/output-paths.js';
import type { Extraction, FlowExtraction } from '../io/flow-extraction.js';
import type { ExtractInput } from '../io/flow-inputs.js';
import { RingConsumerFailure } from '../io/shared-ring.js';
import { ThreadedFlowFeatures, threadedFlowFeaturesAvailable, type FeatureThreadColumns } from '../io/threaded-flow-features.js';
import { ThreadedCsvOutput, threadedCsvAvailable } from '../io/threaded-csv-output.js';
import { DEFAULT_HOST_WINDOWS_S } from '../schema/host-columns.js';
import { formatBytes, formatCount, formatRate, formatSeconds } from '../viz/format.js';
import { keyValueTable, tableWidth, useColour } from '../viz/table.js';
import { captureWarningText } from './capture-warning-text.js';
import { Interruption } from './interruption.js';
import type { CliIo } from './main.js';
import { parsePositiveInt, parsePositiveNumber } from './option-parsers.js';
import { StatusLine } from './status-line.js';

export interface ExtractOptions {
  input?: string[];
  output?: string;
  level: string;
  format: string;
  idleTimeout: number;
  activeTimeout: number;
  maxFlows?: number;
  maxHosts?: number;
  windows: number[];
  labels?: string;
  writerThread?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** What extract reads when no --input is given: the capture stage's outputs, the capture first. */
const DEFAULT_INPUTS = ['dataset/capture.pcap', 'dataset/packets.csv'];
/** Where each level writes by default, so `netml extract && netml extract --level host` keeps both tables. */
const DEFAULT_OUTPUTS: Record<string, string> = {
  flow: 'dataset/features.csv',
  'flow-cic': 'dataset/features-cic.csv',
  host: 'dataset/host-features.csv',
  packet: 'dataset/packet-features.csv',
};
const FLUSH_STEP = 4096;
const LEVELS = ['flow', 'host', 'packet'];
const FORMATS = ['netml', 'cic'];
const ROW_NOUN: Record<string, string> = { flow: 'flow', host: 'host and window', packet: 'packet' };

const EXAMPLES = `
Examples:
  netml extract                                    dataset/capture.pcap -> dataset/features.csv, one row per flow
  netml extract --level host                       per host and 1 s / 10 s / 60 s window -> dataset/host-features.csv
  netml extract --level packet                     one row per packet -> dataset/packet-features.csv
  netml extract --format cic                       CICFlowMeter / CIC-IDS2017 columns -> dataset/features-cic.csv
  netml extract --input dataset/packets.csv        read the capture stage's CSV instead of a capture file
  netml extract --input monday.pcap tuesday.pcapng several captures, one table (a flow may span two files)
  netml extract --idle-timeout 60 --active-timeout 600
  netml extract --max-flows 100000 --json          cap the flows held at once; summary as JSON on stdout
  netml extract --labels rules.json                add a label column: [{"class": "syn-flood", "src": "10.0.0.66", "dst_port": 80}]

How flows are cut (docs/extract.md has the details):
  a flow is both directions of a 5-tuple (plus VLAN); the client is the SYN's sender when there is one
  it ends on: idle (no packet for --idle-timeout s), active (open for --active-timeout s), fin (FIN both
  ways, acknowledged), rst, end-of-input, or evicted (the table held --max-flows flows)
  columns: identifiers (addresses, ports, times, flow id) are marked in the schema and left out of training

Exit codes: 0 ok, 64 bad usage, 65 bad input data, 66 missing input, 73 cannot write, 130 interrupted.`;

/** "1,10,60" -> [1, 10, 60]: whole seconds, 1 to 86400. */
export function parseWindows(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const out = parts.map(Number);
  if (parts.length === 0 || out.some((n, i) => parts[i] === '' || !Number.isInteger(n) || n < 1 || n > 86400)) {
    throw new InvalidArgumentError(`expected window sizes in whole seconds from 1 to 86400, separated by commas (e.g. 1,10,60), got "${value}"`);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

export function registerExtract(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('extract')
    .summary('turn captured packets into a feature table: one row per flow, per host and window, or per packet')
    .description(
      'Read pcap/pcapng files or the capture stage\'s packets.csv and write a feature table: bidirectional flows ' +
        '(idle/active timeouts, TCP FIN/RST termination, bounded memory), per-host time windows, or per-packet features.',
    )
    .option('-i, --input <files...>', `captures (pcap, pcapng) or packets.csv files to read, in this order (default: ${DEFAULT_INPUTS[0]}, else ${DEFAULT_INPUTS[1]})`)
    .option('-o, --output <path>', `where to write the table (default: ${DEFAULT_OUTPUTS.flow}; ${DEFAULT_OUTPUTS.host}, ${DEFAULT_OUTPUTS.packet} or ${DEFAULT_OUTPUTS['flow-cic']} for the other levels and format)`)
    .option('--level <level>', 'one row per: flow, host (per source address and time window) or packet', 'flow')
    .option('--format <format>', 'flow columns: netml, or cic (CICFlowMeter / CIC-IDS2017 column names)', 'netml')
    .option('--idle-timeout <seconds>', 'end a flow after this long without a packet', parsePositiveNumber, DEFAULT_IDLE_TIMEOUT_S)
    .option('--active-timeout <seconds>', 'end a flow record this long after its first packet (a continuation record follows)', parsePositiveNumber, DEFAULT_ACTIVE_TIMEOUT_S)
    .option('--max-flows <n>', 'flows held at once; when full, the least recently seen is evicted (default: what fits in 120 MiB, ~215,000)', parsePositiveInt)
    .addOption(
      new Option('--windows <seconds>', '--level host: window sizes, whole seconds separated by commas')
        .argParser(parseWindows)
        .default([...DEFAULT_HOST_WINDOWS_S], DEFAULT_HOST_WINDOWS_S.join(',')),
    )
    .option('--max-hosts <n>', 'addresses held at once (--level host: hosts with open windows; --level packet: sources with recent-activity windows); when full, the least recently seen is evicted', parsePositiveInt)
    .option('--labels <file>', 'add a label column from rules (JSON or CSV: class, src, dst, src_port, dst_port, protocol, start, end); default class normal')
    .option('--no-writer-thread', 'do everything on the main thread (default: flow features on a second thread, CSV formatting on a third)')
    .option('--json', 'print the final summary as JSON on stdout')
    .option('-q, --quiet', 'no progress line and no summary table (errors and warnings still go to stderr)')
    .addHelpText('after', EXAMPLES)
    .action(async (opts: ExtractOptions) => {
      result.exitCode = await extract(opts, io);
    });
}

export interface ExtractSummary {
  schemaVersion: string;
  level: string;
  format: string;
  inputs: { path: string; format: string; packets: number; warnings: CaptureWarning[] }[];
  output: string;
  packets: number;
  ipPackets: number;
  nonIpPackets: number;
  wireBytes: number;
  decodeProblems: Record<string, number>;
  timeBackwardsPackets: number;
  /** rows written: flows, host windows or packets */
  rows: number;
  /** flow and packet levels: flow records ended */
  flows?: number;
  flowsByEndReason?: Record<string, number>;
  evictions?: number;
  peakFlowsHeld?: number;
  maxFlows?: number;
  idleTimeoutS?: number;
  activeTimeoutS?: number;
  /** host level */
  hosts?: { windowsS: number[]; maxHosts: number; peakHostsHeld: number; hostsEvicted: number; rowsWrittenEarly: number; rowsByWindow: Record<string, number> };
  /** packet level: the per-source recent-activity windows */
  sources?: { maxSources: number; peakSourcesHeld: number; sourcesEvicted: number };
  elapsedSeconds: number;
  packetsPerSecond: number;
  /** numbers that were not finite and were written as 0 (always 0 unless there is a bug) */
  nonFiniteCells: number;
  labels?: { rules: string; rowsByClass: Record<string, number>; rulesNotApplied?: string[] };
  interrupted: boolean;
}

/** What `netml detect` extracts from a capture: the table its model was trained on. */
export interface QuietExtraction {
  level: 'flow' | 'host' | 'packet';
  format: 'netml' | 'cic';
  idleTimeoutS?: number;
  activeTimeoutS?: number;
  maxFlows?: number;
}

/** One capture into `output`, quietly, with extract's defaults where `table` says nothing: how `netml detect` scores a capture. Returns extract's exit code. */
export function extractQuietly(input: string, output: string, io: CliIo, table: QuietExtraction): Promise<number> {
  return extract(
    {
      input: [input],
      output,
      level: table.level,
      format: table.format,
      idleTimeout: table.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S,
      activeTimeout: table.activeTimeoutS ?? DEFAULT_ACTIVE_TIMEOUT_S,
      maxFlows: table.maxFlows,
      windows: [...DEFAULT_HOST_WINDOWS_S],
      writerThread: true,
      quiet: true,
    },
    io,
  );
}

async function extract(opts: ExtractOptions, io: CliIo): Promise<number> {
  if (!LEVELS.includes(opts.level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}, got "${opts.level}"`);
  if (!FORMATS.includes(opts.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${opts.format}"`);
  if (opts.format === 'cic' && opts.level !== 'flow') throw new UsageError(`--format cic is a flow table; it cannot be used with --level ${opts.level}`, 'drop --level, or drop --format cic');
  const output = opts.output ?? DEFAULT_OUTPUTS[opts.format === 'cic' ? 'flow-cic' : opts.level];
  const inputs = opts.input && opts.input.length > 0 ? opts.input : [defaultInput()];
  let rules: LabelRule[] | undefined;
  if (opts.labels !== undefined) {
    const { readLabelRules } = await import('../io/label-rules.js');
    rules = readLabelRules(opts.labels);
    if (rules.length === 0) io.stderr.write(`netml: warning: --labels ${opts.labels} holds no rules: every row gets the default class\n`);
  }
  checkPaths(inputs, output, opts.labels);
  const rulesNotApplied = rules ? await unusableRules(opts.level, rules) : [];
  for (const note of rulesNotApplied) io.stderr.write(`netml: warning: --labels ${opts.labels}: ${note}\n`);
  let extraction: Extraction;
  try {
    extraction = await createExtraction(opts, rules);
  } catch (err) {
    // the tables are typed arrays sized for --max-flows / --max-hosts up front: too many for one array, or
    // for this machine's memory, is the option's fault, not an internal error
    if (!(err instanceof RangeError)) throw err;
    throw new UsageError(
      `--max-flows ${opts.maxFlows ?? '(default)'} / --max-hosts ${opts.maxHosts ?? '(default)'}: the tables cannot be allocated (${err.message})`,
      'give a smaller --max-flows or --max-hosts (the defaults take 120 MiB, about 215,000 flows; ten million flows fit)',
    );
  }
  const out = await openOutput(output, extraction, opts.writerThread !== false, { format: opts.format === 'cic' ? 'cic' : 'netml', rules });
  const { openExtractInput } = await import('../io/flow-inputs.js');
  const status = new StatusLine(io.stderr, opts.quiet === true);
  const started = performance.now();
  const summaryInputs: ExtractSummary['inputs'] = [];
  let input: ExtractInput | undefined;
  let fileIndex = 0;
  const showProgress = () => {
    const elapsed = (performance.now() - started) / 1000;
    const share = input && input.fileSizeBytes > 0 ? `${((100 * input.bytesRead) / input.fileSizeBytes).toFixed(0)}%` : '';
    const which = inputs.length > 1 ? ` (${fileIndex + 1}/${inputs.length})` : '';
    status.update(
      `reading ${input?.path ?? ''}${which}: ${share}  ${formatCount(extraction.packets)} packets  ${formatRate(extraction.packets / elapsed, 'pkt')}  ${extraction.progress()}`,
    );
  };
  // no timer at all when the line is not shown (not a terminal, or --quiet)
  const timer = status.enabled ? setInterval(showProgress, 250) : undefined;
  let written: WrittenRows = { nonFiniteCells: 0 };
  const interruption = new Interruption({ once: true });
  try {
    for (fileIndex = 0; fileIndex < inputs.length && !interruption.interrupted; fileIndex++) {
      const path = inputs[fileIndex];
      input = await openExtractInput(path);
      const before = extraction.packets;
      try {
        for await (const _ of input.feed(extraction)) {
          await out.afterBatch();
          if (interruption.interrupted) break;
        }
      } finally {
        await input.close();
      }
      summaryInputs.push({ path, format: input.format, packets: extraction.packets - before, warnings: input.warnings });
    }
    // what is still open becomes rows a few thousand at a time, so the output queue stays bounded
    while (!extraction.flush(FLUSH_STEP)) await out.afterBatch();
    written = await out.close();
  } catch (err) {
    throw await out.abort(err);
  } finally {
    clearInterval(timer);
    status.clear();
    interruption.release();
  }
  giveToInvokingUser(output);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const summary = summarize(extraction, opts, output, summaryInputs, elapsedSeconds, written, interruption.interrupted);
  const labels = written.labelCounts ?? extraction.labelCounts();
  if (labels) summary.labels = { rules: opts.labels!, rowsByClass: labels, ...(rulesNotApplied.length > 0 ? { rulesNotApplied } : {}) };
  report(summary, opts, io);
  return interruption.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

/**
 * Before any reading: every input is there and readable (a typo in the last of 30 captures would otherwise
 * stop the run only after the first 29 were read), and the output is writable and none of the input files
 * (the table would replace the capture, or the rules file, by rename).
 */
function checkPaths(inputs: string[], output: string, labels: string | undefined): void {
  for (const path of inputs) {
    try {
      if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      accessSync(path, fsConstants.R_OK);
    } catch (err) {
      throw inputFileError(path, err);
    }
  }
  checkOutputs([['--output', output]], [...inputs.map((path): NamedPath => ['--input', path]), ['--labels', labels]]);
}

function defaultInput(): string {
  const found = DEFAULT_INPUTS.find((p) => existsSync(p));
  if (found) return found;
  throw new MissingInputError(
    DEFAULT_INPUTS[0],
    `${DEFAULT_INPUTS[0]}: no such file (nor ${DEFAULT_INPUTS[1]})`,
    'run `netml capture` (or `netml capture --read FILE`) first, or give captures with --input',
  );
}

async function createExtraction(opts: ExtractOptions, rules: LabelRule[] | undefined): Promise<Extraction> {
  const m = await import('../io/flow-extraction.js');
  if (opts.level === 'host') return new m.HostExtraction({ windowsS: opts.windows, maxHosts: opts.maxHosts, rules });
  if (opts.level === 'packet') {
    return new m.PacketExtraction({ idleTimeoutS: opts.idleTimeout, activeTimeoutS: opts.activeTimeout, maxFlows: opts.maxFlows, maxSources: opts.maxHosts, rules });
  }
  return new m.FlowExtraction({
    idleTimeoutS: opts.idleTimeout,
    activeTimeoutS: opts.activeTimeout,
    maxFlows: opts.maxFlows,
    format: opts.format === 'cic' ? 'cic' : 'netml',
    rules,
  });
}

/** Rules that cannot label this level's rows, as warnings (host rows have a source and a time only). */
async function unusableRules(level: string, rules: LabelRule[]): Promise<string[]> {
  if (level !== 'host') return [];
  const { hostRuleProblem } = await import('../features/host-windows.js');
  const notes: string[] = [];
  rules.forEach((rule, i) => {
    const problem = hostRuleProblem(rule);
    if (problem) notes.push(`rule ${i + 1} (class ${rule.label}) ${problem}; it labels no host row (host rules may use src, start and end)`);
  });
  return notes;
}

function summarize(
  extraction: Extraction,
  opts: ExtractOptions,
  output: string,
  inputs: ExtractSummary['inputs'],
  elapsedSeconds: number,
  written: WrittenRows,
  interrupted: boolean,
): ExtractSummary {
  const counts = extraction.counts;
  const decodeProblems: Record<string, number> = {};
  decodeStatusNames.forEach((name, i) => {
    if (i > 0) decodeProblems[name] = extraction.statusCounts[i];
  });
  const summary: ExtractSummary = {
    schemaVersion: extraction.schemaVersion,
    level: opts.level,
    format: opts.format,
    inputs,
    output,
    packets: extraction.packets,
    ipPackets: counts.ipPackets,
    nonIpPackets: counts.nonIpPackets,
    wireBytes: extraction.wireBytes,
    decodeProblems,
    timeBackwardsPackets: counts.timeBackwardsPackets,
    rows: written.rowsWritten ?? counts.rowsWritten,
    elapsedSeconds,
    packetsPerSecond: elapsedSeconds > 0 ? extraction.packets / elapsedSeconds : 0,
    nonFiniteCells: written.nonFiniteCells,
    interrupted,
  };
  const table = 'table' in extraction ? (extraction as { table: import('../flow/flow-table.js').FlowTable }).table : undefined;
  if (table) {
    const flowsByEndReason: Record<string, number> = {};
    endReasonNames.forEach((name, i) => (flowsByEndReason[name] = table.endedBy[i]));
    Object.assign(summary, {
      flows: table.recordsEnded,
      flowsByEndReason,
      evictions: flowsByEndReason.evicted,
      peakFlowsHeld: table.peakSize,
      maxFlows: table.capacity,
      idleTimeoutS: opts.idleTimeout,
      activeTimeoutS: opts.activeTimeout,
    });
  }
  if ('hosts' in extraction) {
    const h = (extraction as import('../io/flow-extraction.js').HostExtraction).hosts;
    const rowsByWindow: Record<string, number> = {};
    h.windowsS.forEach((w, i) => (rowsByWindow[String(w)] = h.rowsByWindow[i]));
    summary.hosts = {
      windowsS: [...h.windowsS],
      maxHosts: h.table.capacity,
      peakHostsHeld: h.table.peakSize,
      hostsEvicted: h.hostsEvicted,
      rowsWrittenEarly: h.rowsWrittenEarly,
      rowsByWindow,
    };
  }
  if (extraction.level === 'packet') {
    const f = (extraction as import('../io/flow-extraction.js').PacketExtraction).features;
    summary.sources = { maxSources: f.sources.capacity, peakSourcesHeld: f.sources.peakSize, sourcesEvicted: f.sourcesEvicted };
  }
  return summary;
}

/** What the output reports when closed; rows and classes when another thread counted them. */
interface WrittenRows {
  nonFiniteCells: number;
  rowsWritten?: number;
  labelCounts?: Record<string, number>;
}

/**
 * Where the rows go: with the compiled workers there, a writer thread, and for flow tables a feature thread
 * before it (threaded-flow-features.ts); else this thread with async writes.
 */
interface RowOutput {
  /** between batches: hand rows over / let writes drain (backpressure) */
  afterBatch(): Promise<void>;
  close(): Promise<WrittenRows>;
  /** drops the partial file; returns the error to throw (the writer's own when it caused the failure) */
  abort(err: unknown): Promise<unknown>;
}

async function openOutput(path: string, extraction: Extraction, thread: boolean, columns: FeatureThreadColumns): Promise<RowOutput> {
  if (thread && threadedCsvAvailable()) {
    const out = ThreadedCsvOutput.start(path, extraction.columnNames, extraction.formats, extraction.layout);
    // the writer thread's temporary file (FileSink's name), so a second Ctrl+C on this thread can remove it
    const temp = replaceableByRename(path) ? temporaryPath(path) : undefined;
    if (temp) trackTempFile(temp);
    const features =
      extraction.level === 'flow' && threadedFlowFeaturesAvailable() ? new ThreadedFlowFeatures((extraction as FlowExtraction).table, out.shared, columns) : undefined;
    if (features === undefined) extraction.attach(out.rows);
    return {
      afterBatch: async () => (features ?? out).publish(),
      close: async () => {
        try {
          const counted = await features?.close();
          const written = await out.close(features === undefined);
          return counted ? { ...counted, nonFiniteCells: written.nonFiniteCells + counted.nonFiniteCells } : written;
        } finally {
          if (temp) untrackTempFile(temp);
        }
      },
      abort: async (err) => {
        try {
          if (err instanceof RingConsumerFailure) {
            if (out.failed) return await out.failure();
            if (features?.failed) {
              const failure = await features.failure();
              await out.abort();
              return failure;
            }
          }
          await features?.abort();
          await out.abort();
          return err;
        } finally {
          if (temp) untrackTempFile(temp);
        }
      },
    };
  }
  const sink = new FileSink(path, { atomic: true, background: true });
  const writer = extraction.writeCsvTo(sink);
  return {
    afterBatch: async () => {
      if (sink.mustWait) await sink.waitForRoom();
    },
    close: async () => {
      await sink.finish();
      return { nonFiniteCells: writer.nonFiniteCells };
    },
    abort: async (err) => {
      sink.abandon();
      return err;
    },
  };
}

function report(summary: ExtractSummary, opts: ExtractOptions, io: CliIo): void {
  for (const input of summary.inputs) {
    for (const w of input.warnings) io.stderr.write(`${captureWarningText(input.path, w)}\n`);
  }
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  if (opts.quiet) return;
  // one row per input: a cell of many lines costs cli-table3 0.6.5 time cubic in their number (80 inputs
  // took 13 s, 700 never finished)
  const rows: [string, string][] = summary.inputs.map((i, k): [string, string] => [k === 0 ? 'read' : '', `${i.path} (${i.format}, ${formatCount(i.packets)} packets)`]);
  if (rows.length === 0) rows.push(['read', 'nothing']);
  rows.push(
    ['packets read', `${formatCount(summary.packets)} (${formatBytes(summary.wireBytes)} on the wire)`],
    [summary.level === 'host' ? 'IP packets' : summary.level === 'packet' ? 'IP packets (one row each)' : 'IP packets (in flows)', formatCount(summary.ipPackets)],
    ['non-IP packets (ARP...)', formatCount(summary.nonIpPackets)],
  );
  for (const [name, count] of Object.entries(summary.decodeProblems)) if (count > 0) rows.push([`${name} packets`, `${formatCount(count)} (kept as far as decoded)`]);
  if (summary.timeBackwardsPackets > 0) rows.push(['time going backwards', `${formatCount(summary.timeBackwardsPackets)} packets (taken at their flow's or host's last time)`]);
  if (summary.flowsByEndReason) {
    const byReason = summary.flowsByEndReason;
    const reasons = endReasonNames
      .filter((name) => byReason[name] > 0)
      .map((name) => `${name} ${formatCount(byReason[name])}`)
      .join(', ');
    rows.push([summary.level === 'flow' ? 'flows written' : 'flows metered', formatCount(summary.flows ?? 0)]);
    rows.push(['flows by end reason', reasons || 'none']);
    rows.push(['evictions', summary.evictions ? `${formatCount(summary.evictions)} (table full at ${formatCount(summary.maxFlows ?? 0)} flows; raise --max-flows)` : '0']);
    rows.push(['most flows held at once', `${formatCount(summary.peakFlowsHeld ?? 0)} of ${formatCount(summary.maxFlows ?? 0)}`]);
  }
  if (summary.hosts) {
    const h = summary.hosts;
    rows.push(['rows by window', h.windowsS.map((w) => `${w} s: ${formatCount(h.rowsByWindow[String(w)])}`).join(', ')]);
    rows.push(['hosts evicted', h.hostsEvicted > 0 ? `${formatCount(h.hostsEvicted)} (table full at ${formatCount(h.maxHosts)} hosts; ${formatCount(h.rowsWrittenEarly)} rows written before their window ended; raise --max-hosts)` : '0']);
    rows.push(['most hosts held at once', `${formatCount(h.peakHostsHeld)} of ${formatCount(h.maxHosts)}`]);
  }
  if (summary.sources) {
    const src = summary.sources;
    rows.push(['sources evicted', src.sourcesEvicted > 0 ? `${formatCount(src.sourcesEvicted)} (table full at ${formatCount(src.maxSources)}; their 1 s / 10 s counts restart; raise --max-hosts)` : '0']);
  }
  rows.push(['processing', `${formatSeconds(summary.elapsedSeconds)} (${formatRate(summary.packetsPerSecond, 'pkt')})`]);
  if (summary.labels) {
    const classes = Object.entries(summary.labels.rowsByClass).map(([c, n]) => `${c} ${formatCount(n)}`);
    rows.push(['rows by label', classes.join(', ')]);
  }
  if (summary.interrupted) rows.push(['interrupted', 'yes: the table holds the rows of the packets read before Ctrl+C']);
  rows.push(['wrote', `${summary.output} (schema ${summary.schemaVersion}, ${formatCount(summary.rows)} rows, one per ${ROW_NOUN[summary.level]})`]);
  io.stdout.write(`${keyValueTable(rows, useColour(io.stdout), tableWidth(io.stdout))}\n`);
}
