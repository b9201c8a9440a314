// `netml extract`: the second pipeline stage. Capture files in, one feature table out (dataset/features.csv):
// every IP packet is metered into bidirectional flows and every finished flow becomes one row. This file
// only wires options to the loop in src/io/flow-extraction.ts and reports what happened.

import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { openCaptureFile, type CaptureFileReader } from '../capture/capture-file.js';
import type { CaptureWarning } from '../capture/frame-batch.js';
import { decodeStatusNames } from '../decode/packet-meta.js';
import { ExitCode, MissingInputError, outputFileError, UsageError } from '../errors.js';
import { endReasonNames, DEFAULT_ACTIVE_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S } from '../flow/flow-table.js';
import { giveToInvokingUser } from '../io/file-ownership.js';
import { AsyncFileSink } from '../io/async-file-sink.js';
import type { FlowExtraction } from '../io/flow-extraction.js';
import { RowRingFailure } from '../io/row-ring.js';
import { ThreadedCsvOutput, threadedCsvAvailable } from '../io/threaded-csv-output.js';
import { FLOWS_SCHEMA_VERSION } from '../schema/flow-columns.js';
import { formatBytes, formatCount, formatRate, formatSeconds } from '../viz/format.js';
import { keyValueTable, useColour } from '../viz/table.js';
import type { CliIo } from './main.js';
import { parsePositiveInt, parsePositiveNumber } from './option-parsers.js';
import { StatusLine } from './status-line.js';

export interface ExtractOptions {
  input?: string[];
  output: string;
  level: string;
  idleTimeout: number;
  activeTimeout: number;
  maxFlows?: number;
  labels?: string;
  writerThread?: boolean;
  json?: boolean;
  quiet?: boolean;
}

const DEFAULT_INPUT = 'dataset/capture.pcap';
const FLUSH_STEP_FLOWS = 4096;
const LEVELS = ['flow', 'host', 'packet'];

const EXAMPLES = `
Examples:
  netml extract                                    dataset/capture.pcap -> dataset/features.csv, one row per flow
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

export function registerExtract(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('extract')
    .summary('turn captured packets into a feature table (dataset/features.csv), one row per flow')
    .description(
      'Read one or more pcap/pcapng files, meter every IP packet into bidirectional flows (idle/active timeouts, ' +
        'TCP FIN/RST termination, bounded memory) and write one row of features per flow.',
    )
    .option('-i, --input <files...>', `capture files to read, in this order (default: ${DEFAULT_INPUT})`)
    .option('-o, --output <path>', 'where to write the feature table', 'dataset/features.csv')
    .option('--level <level>', 'one row per: flow', 'flow')
    .option('--idle-timeout <seconds>', 'end a flow after this long without a packet', parsePositiveNumber, DEFAULT_IDLE_TIMEOUT_S)
    .option('--active-timeout <seconds>', 'end a flow record this long after its first packet (a continuation record follows)', parsePositiveNumber, DEFAULT_ACTIVE_TIMEOUT_S)
    .option('--max-flows <n>', 'flows held at once; when full, the least recently seen is evicted (default: what fits in 128 MiB, ~240,000)', parsePositiveInt)
    .option('--labels <file>', 'add a label column from rules (JSON or CSV: class, src, dst, src_port, dst_port, protocol, start, end); default class normal')
    .option('--no-writer-thread', 'format and write the CSV on the main thread (default: a second thread does it)')
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
  inputs: { path: string; format: string; packets: number; warnings: CaptureWarning[] }[];
  output: string;
  packets: number;
  ipPackets: number;
  nonIpPackets: number;
  wireBytes: number;
  decodeProblems: Record<string, number>;
  timeBackwardsPackets: number;
  flows: number;
  flowsByEndReason: Record<string, number>;
  evictions: number;
  peakFlowsHeld: number;
  maxFlows: number;
  idleTimeoutS: number;
  activeTimeoutS: number;
  elapsedSeconds: number;
  packetsPerSecond: number;
  /** numbers that were not finite and were written as 0 (always 0 unless there is a bug) */
  nonFiniteCells: number;
  labels?: { rules: string; rowsByClass: Record<string, number> };
  interrupted: boolean;
}

async function extract(opts: ExtractOptions, io: CliIo): Promise<number> {
  if (!LEVELS.includes(opts.level)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}, got "${opts.level}"`);
  if (opts.level !== 'flow') throw new UsageError(`--level ${opts.level} is not available yet`, 'use --level flow (the default)');
  const inputs = opts.input && opts.input.length > 0 ? opts.input : [DEFAULT_INPUT];
  if (!opts.input && !existsSync(DEFAULT_INPUT)) {
    throw new MissingInputError(DEFAULT_INPUT, `${DEFAULT_INPUT}: no such file`, 'run `netml capture` (or `netml capture --read FILE`) first, or give captures with --input');
  }
  const { FlowExtraction } = await import('../io/flow-extraction.js');
  const { flowGroups } = await import('../features/flow-feature-set.js');
  const { FlowLabelGroup } = await import('../features/flow-labels.js');
  let groups = flowGroups;
  if (opts.labels !== undefined) {
    const { readLabelRules } = await import('../io/label-rules.js');
    const rules = readLabelRules(opts.labels);
    groups = (t) => [...flowGroups(t), new FlowLabelGroup(t, rules)];
  }
  prepareOutputDir(opts.output);
  const extraction = new FlowExtraction({ idleTimeoutS: opts.idleTimeout, activeTimeoutS: opts.activeTimeout, maxFlows: opts.maxFlows, groups });
  const output = await openOutput(opts.output, extraction, opts.writerThread !== false);
  const table = extraction.table;
  const status = new StatusLine(io.stderr, opts.quiet === true);
  const started = performance.now();
  const summaryInputs: ExtractSummary['inputs'] = [];
  let reader: CaptureFileReader | undefined;
  let fileIndex = 0;
  const showProgress = () => {
    const elapsed = (performance.now() - started) / 1000;
    const share = reader && reader.fileSizeBytes > 0 ? `${((100 * reader.bytesRead) / reader.fileSizeBytes).toFixed(0)}%` : '';
    const which = inputs.length > 1 ? ` (${fileIndex + 1}/${inputs.length})` : '';
    status.update(
      `reading ${reader?.path ?? ''}${which}: ${share}  ${formatCount(extraction.packets)} packets  ${formatRate(extraction.packets / elapsed, 'pkt')}  flows: ${formatCount(table.size)} open, ${formatCount(table.recordsEnded)} ended`,
    );
  };
  const timer = setInterval(showProgress, 250);
  let interrupted = false;
  let nonFiniteCells = 0;
  const onSignal = () => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (fileIndex = 0; fileIndex < inputs.length && !interrupted; fileIndex++) {
      const path = inputs[fileIndex];
      reader = await openCaptureFile(path);
      const before = extraction.packets;
      try {
        for await (const batch of reader.batches()) {
          extraction.addBatch(batch);
          await output.afterBatch();
          if (interrupted) break;
        }
      } finally {
        await reader.close();
      }
      summaryInputs.push({ path, format: reader.format, packets: extraction.packets - before, warnings: reader.warnings });
    }
    // flows still open become rows a few thousand at a time, so the output queue stays bounded
    while (!table.flush(FLUSH_STEP_FLOWS)) await output.afterBatch();
    nonFiniteCells = (await output.close()).nonFiniteCells;
  } catch (err) {
    throw await output.abort(err);
  } finally {
    clearInterval(timer);
    status.clear();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  giveToInvokingUser(opts.output);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const decodeProblems: Record<string, number> = {};
  decodeStatusNames.forEach((name, i) => {
    if (i > 0) decodeProblems[name] = extraction.statusCounts[i];
  });
  const flowsByEndReason: Record<string, number> = {};
  endReasonNames.forEach((name, i) => (flowsByEndReason[name] = table.endedBy[i]));
  const summary: ExtractSummary = {
    schemaVersion: FLOWS_SCHEMA_VERSION,
    level: opts.level,
    inputs: summaryInputs,
    output: opts.output,
    packets: extraction.packets,
    ipPackets: table.ipPackets,
    nonIpPackets: table.nonIpPackets,
    wireBytes: extraction.wireBytes,
    decodeProblems,
    timeBackwardsPackets: table.timeBackwardsPackets,
    flows: extraction.features.rowsWritten,
    flowsByEndReason,
    evictions: flowsByEndReason.evicted,
    peakFlowsHeld: table.peakSize,
    maxFlows: table.capacity,
    idleTimeoutS: opts.idleTimeout,
    activeTimeoutS: opts.activeTimeout,
    elapsedSeconds,
    packetsPerSecond: elapsedSeconds > 0 ? extraction.packets / elapsedSeconds : 0,
    nonFiniteCells,
    interrupted,
  };
  const labels = extraction.features.find(FlowLabelGroup);
  if (labels) summary.labels = { rules: opts.labels!, rowsByClass: labels.countsByClass() };
  report(summary, opts, io);
  return interrupted ? ExitCode.interrupted : ExitCode.ok;
}

/** Where the rows go: a writer thread when the compiled worker is there, else this thread with async writes. */
interface RowOutput {
  /** between batches: hand rows over / let writes drain (backpressure) */
  afterBatch(): Promise<void>;
  close(): Promise<{ nonFiniteCells: number }>;
  /** drops the partial file; returns the error to throw (the writer's own when it caused the failure) */
  abort(err: unknown): Promise<unknown>;
}

async function openOutput(path: string, extraction: FlowExtraction, thread: boolean): Promise<RowOutput> {
  if (thread && threadedCsvAvailable()) {
    probeWritable(path);
    const out = ThreadedCsvOutput.start(path, extraction.columnNames, extraction.features.formats, extraction.features.layout);
    extraction.attach(out.rows);
    return {
      afterBatch: async () => out.publish(),
      close: () => out.close(),
      abort: async (err) => {
        if (err instanceof RowRingFailure) return out.failure();
        await out.abort();
        return err;
      },
    };
  }
  const sink = await AsyncFileSink.open(path, { atomic: true });
  const writer = extraction.writeCsvTo(sink);
  return {
    afterBatch: async () => {
      if (sink.needsDrain) await sink.drain();
    },
    close: async () => {
      await sink.close();
      return { nonFiniteCells: writer.nonFiniteCells };
    },
    abort: async (err) => {
      sink.abandon();
      return err;
    },
  };
}

/** Creates and removes the file the writer thread will write, so a permission problem shows before reading. */
function probeWritable(path: string): void {
  const probe = `${path}.tmp-${process.pid}`;
  try {
    closeSync(openSync(probe, 'w'));
    rmSync(probe, { force: true });
  } catch (err) {
    throw outputFileError(path, err);
  }
}

function prepareOutputDir(path: string): void {
  try {
    const created = mkdirSync(dirname(resolve(path)), { recursive: true });
    if (created) giveToInvokingUser(created);
  } catch (err) {
    throw outputFileError(path, err);
  }
}

function report(summary: ExtractSummary, opts: ExtractOptions, io: CliIo): void {
  for (const input of summary.inputs) {
    for (const w of input.warnings) {
      io.stderr.write(`netml: warning: ${input.path}: ${w.message} (packet ${w.packetNumber}, byte ${w.byteOffset}); the packets before it were used\n`);
    }
  }
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  if (opts.quiet) return;
  const reasons = endReasonNames
    .filter((name) => summary.flowsByEndReason[name] > 0)
    .map((name) => `${name} ${formatCount(summary.flowsByEndReason[name])}`)
    .join(', ');
  const rows: [string, string][] = [
    ['read', summary.inputs.map((i) => `${i.path} (${i.format}, ${formatCount(i.packets)} packets)`).join('\n')],
    ['packets read', `${formatCount(summary.packets)} (${formatBytes(summary.wireBytes)} on the wire)`],
    ['IP packets (in flows)', formatCount(summary.ipPackets)],
    ['non-IP packets (ARP...)', formatCount(summary.nonIpPackets)],
  ];
  for (const [name, count] of Object.entries(summary.decodeProblems)) if (count > 0) rows.push([`${name} packets`, `${formatCount(count)} (kept as far as decoded)`]);
  if (summary.timeBackwardsPackets > 0) rows.push(['time going backwards', `${formatCount(summary.timeBackwardsPackets)} packets (taken at their flow's last time)`]);
  rows.push(['flows written', formatCount(summary.flows)]);
  rows.push(['flows by end reason', reasons || 'none']);
  rows.push(['evictions', summary.evictions > 0 ? `${formatCount(summary.evictions)} (table full at ${formatCount(summary.maxFlows)} flows; raise --max-flows)` : '0']);
  rows.push(['most flows held at once', `${formatCount(summary.peakFlowsHeld)} of ${formatCount(summary.maxFlows)}`]);
  rows.push(['processing', `${formatSeconds(summary.elapsedSeconds)} (${formatRate(summary.packetsPerSecond, 'pkt')})`]);
  if (summary.labels) {
    const classes = Object.entries(summary.labels.rowsByClass).map(([c, n]) => `${c} ${formatCount(n)}`);
    rows.push(['rows by label', classes.join(', ')]);
  }
  if (summary.interrupted) rows.push(['interrupted', 'yes: the table holds the flows of the packets read before Ctrl+C']);
  rows.push(['wrote', `${summary.output} (schema ${summary.schemaVersion}, one row per flow)`]);
  io.stdout.write(`${keyValueTable(rows, useColour(io.stdout))}\n`);
}
