// `netml detect`: the fourth pipeline stage. A trained model and a features CSV in; a verdict per row
// (results/detections.csv), a summary (results/summary.json) and a table of what looks suspicious out.
// Scoring takes a matrix plus identifier cells (runDetection), so rows extracted from a capture on the fly
// can be fed the same way as rows read from a CSV. With --packets / --export-pcap the verdicts go back to
// the packets of the capture (detect-packets.ts).

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { BadDataError, ExitCode, inputFileError, MissingInputError, MODEL_INPUT, UsageError } from '../errors.js';
import { isCaptureFile } from '../capture/capture-file.js';
import { writeTextFileAtomically } from '../io/atomic-text-file.js';
import { checkOutputs } from '../io/output-paths.js';
import { VERDICT_NORMAL, VERDICT_SUSPICIOUS, writeDetectionsCsv } from '../io/detections-csv.js';
import type { IdentifierCells } from '../io/feature-table.js';
import { featureSetOf, readFeatureSetTable } from '../io/feature-set-table.js';
import { verdicts, type Detections } from '../ml/detector.js';
import type { FeatureMatrix } from '../ml/feature-matrix.js';
import { parseModel, type NetmlModel } from '../ml/model-file.js';
import { KNOWN_SCHEMAS, TRAINABLE_SCHEMA_VERSIONS } from '../schema/feature-schemas.js';
import { DEFAULT_ACTIVE_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S } from '../flow/flow-table.js';
import { formatCount, formatSeconds } from '../viz/format.js';
import { gridTable } from '../viz/grid-table.js';
import { keyValueTable, tableWidth, useColour } from '../viz/table.js';
import { Interruption } from './interruption.js';
import type { CliIo } from './main.js';
import { extractQuietly } from './extract.js';
import { planPacketOutputs, writePacketOutputs, DEFAULT_PACKET_VERDICTS, type PacketOutputsSummary, type PendingPacketOutputs } from './detect-packets.js';
import { computeOutputs, defaultThreads, InterruptedError, throwIfInterrupted, type PoolControl } from './ml-pool.js';
import { parsePositiveInt, parsePositiveNumber } from './option-parsers.js';
import { StatusLine } from './status-line.js';

export interface DetectOptions {
  input: string;
  model?: string;
  output: string;
  summary: string;
  failOnSuspicious?: boolean;
  top: number;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
  /** --packets [file]: true without a file name */
  packets?: string | boolean;
  exportPcap?: string;
  capture?: string;
  idleTimeout: number;
  activeTimeout: number;
  maxFlows?: number;
}

const DEFAULT_MODELS = ['models/rf.json', 'models/iforest.json'];

const EXAMPLES = `
Examples:
  netml detect                                     dataset/features.csv scored by the model in models/
  netml detect --model models/iforest.json --input monday.csv
  netml detect --input new-capture.pcapng            a capture: its flows are extracted first (flow models)
  netml detect --fail-on-suspicious --quiet        for cron and scripts: exit 1 when anything is suspicious
  netml detect --json | jq .suspiciousShare
  netml detect --input dataset/capture.pcap --packets
                                                   also ${DEFAULT_PACKET_VERDICTS}: every packet with its flow's verdict
  netml detect --input dataset/features.csv --capture dataset/capture.pcap --export-pcap results/suspicious.pcap
                                                   the packets of suspicious flows, for Wireshark (a features CSV
                                                   needs --capture: the capture it was extracted from)

Outputs (paths are options):
  results/detections.csv   one row per input row: its identifier columns, score, verdict (NORMAL or
                           SUSPICIOUS) and, for a random forest, the predicted class
  results/summary.json     counts, share suspicious, the top suspicious rows and hosts
  --packets [FILE]         one row per packet of the capture, in capture order: packet_number, time_s,
                           flow_id and detections_row (its flow in detections.csv), score, verdict (+ class);
                           a packet in no flow (not IP: ARP, LLDP...) has empty flow cells and verdict NONE
  --export-pcap FILE       every packet of every SUSPICIOUS flow, in capture order with its original bytes
                           and timestamp; pcap stays pcap, pcapng stays pcapng (same interfaces, link types)
  Packets are matched to flows by metering the capture again with extract's flow options (give detect the
  --idle-timeout / --active-timeout / --max-flows extract was given, if not the defaults); every flow is
  checked against its row, so a capture or options that do not match the CSV are refused, never guessed.
  Only flow models: each packet takes its flow's verdict.

Scores: isolation forest, the anomaly score in (0, 1] (SUSPICIOUS above the model's threshold);
random forest, 1 - P(normal class) (SUSPICIOUS when the most probable class is not the normal one).
Exit codes: 0 ok (whatever was found), 1 something was suspicious and --fail-on-suspicious was given,
64 bad usage, 65 bad input data, 66 missing input, 73 cannot write, 130 interrupted.`;

export function registerDetect(program: Command, io: CliIo, result: { exitCode: number }): void {
  program
    .command('detect')
    .summary('score a features CSV with a trained model -> results/detections.csv, results/summary.json')
    .description('Apply a model written by `netml train` to a feature table and say which rows look suspicious.')
    .option('-i, --input <path>', 'features CSV to score (same schema as the training data), or a pcap/pcapng capture: its flows are extracted first', 'dataset/features.csv')
    .option('-m, --model <path>', `model file (default: ${DEFAULT_MODELS.join(' or ')}, whichever exists; give it when both do)`)
    .option('-o, --output <path>', 'where to write one verdict per row', 'results/detections.csv')
    .option('--summary <path>', 'where to write the summary', 'results/summary.json')
    .option('--fail-on-suspicious', 'exit with status 1 when at least one row is suspicious')
    .option('--top <n>', 'suspicious rows and hosts listed in the summary', parsePositiveInt, 10)
    .option('--threads <n>', 'worker threads (default: the number of cores)', parsePositiveInt)
    .option('--json', 'print the summary as JSON on stdout')
    .option('-q, --quiet', 'no progress line and no tables (errors still go to stderr)')
    .option('--packets [file]', `also write every packet of the capture with its flow's verdict (default file: ${DEFAULT_PACKET_VERDICTS})`)
    .option('--export-pcap <file>', 'also write the packets of suspicious flows as a capture (same format and link type as the input capture)')
    .option('--capture <file>', '--packets/--export-pcap with a features CSV --input: the pcap/pcapng it was extracted from')
    // the flow options of `netml extract`: how a capture --input is cut into flows, and how --packets and
    // --export-pcap meter the capture again (they must match the ones the features CSV was made with)
    .option('--idle-timeout <seconds>', 'flow idle timeout, as given to `netml extract` (capture input, --packets, --export-pcap)', parsePositiveNumber, DEFAULT_IDLE_TIMEOUT_S)
    .option('--active-timeout <seconds>', 'flow active timeout, as given to `netml extract`', parsePositiveNumber, DEFAULT_ACTIVE_TIMEOUT_S)
    .option('--max-flows <n>', 'flows held at once, as given to `netml extract` (default: extract\'s)', parsePositiveInt)
    .addHelpText('after', EXAMPLES)
    .action(async (opts: DetectOptions) => {
      result.exitCode = await detectCommand(opts, io);
    });
}

export interface DetectionSummary {
  model: string;
  modelKind: NetmlModel['kind'];
  schemaVersion: string;
  input: string;
  rows: number;
  suspicious: number;
  normal: number;
  suspiciousShare: number;
  threshold: number | null;
  byPredictedClass: Record<string, number> | null;
  byLabel: { label: string; rows: number; suspicious: number; suspiciousShare: number }[] | null;
  topSuspicious: Record<string, string | number>[];
  topHosts: { host: string; suspiciousRows: number; asSource: number; asDestination: number }[];
  outputs: { detections: string; summary: string; packets?: string; exportPcap?: string };
  /** with --packets / --export-pcap: how the capture's packets were matched to the rows */
  packets?: Omit<PacketOutputsSummary, 'outputs'>;
  timing: { loadSeconds: number; scoreSeconds: number; packetsSeconds?: number; writeSeconds: number; totalSeconds: number; threads: number };
}

async function detectCommand(opts: DetectOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const modelPath = opts.model ?? defaultModelPath();
  const model = loadModel(modelPath);
  const status = new StatusLine(io.stderr, opts.quiet === true || opts.json === true);
  const interruption = new Interruption();
  const threads = opts.threads ?? defaultThreads();
  const inputIsCapture = isCaptureFile(opts.input);
  const metering = { idleTimeoutS: opts.idleTimeout, activeTimeoutS: opts.activeTimeout, maxFlows: opts.maxFlows };
  // checked before anything is read: a missing --capture should not cost a whole scoring run
  const packetPlan = planPacketOutputs(opts, model, modelPath, inputIsCapture, metering);
  // and the outputs: a failure to write one of them at the end would leave some replaced and others not
  checkOutputs(
    [
      ['--output', opts.output],
      ['--summary', opts.summary],
      ['--packets', packetPlan?.packets],
      ['--export-pcap', packetPlan?.exportPcap],
    ],
    [
      ['--input', opts.input],
      ['--model', modelPath],
      ['--capture', opts.capture],
    ],
  );
  // a capture is turned into the model's kind of feature table first (`extract --level/--format` as the
  // training data was made), with extract's defaults or the flow options given, in a temporary folder
  let extracted: string | undefined;
  let pending: PendingPacketOutputs | undefined;
  try {
    let featuresPath = opts.input;
    if (inputIsCapture) {
      // the table the model was trained on: flows (netml's or CIC's columns), host windows or packets
      const trainedOn = KNOWN_SCHEMAS.find((k) => k.version === model.schemaVersion && k.trainable);
      if (trainedOn === undefined) {
        throw new BadDataError(`${modelPath} was trained on ${model.schemaVersion} features, which this netml cannot extract`, 'train the model again with this version: `netml extract`, then `netml train`');
      }
      extracted = mkdtempSync(join(tmpdir(), 'netml-detect-'));
      featuresPath = join(extracted, 'features.csv');
      status.update(`extracting ${trainedOn.level === 'flow' ? 'flows' : `${trainedOn.level} features`} from ${opts.input}`);
      const code = await extractQuietly(opts.input, featuresPath, io, { level: trainedOn.level, format: trainedOn.format, ...metering });
      if (code === ExitCode.interrupted) throw new InterruptedError(`extracting the ${trainedOn.level} features of ${opts.input}`);
      if (code !== ExitCode.ok) return code;
    }
    const table = readFeatureSetTable(featuresPath, featureSetOf(model.derivedFeatures), {
      featureNames: model.featureNames,
      keepIdentifiers: true,
      shared: threads > 1,
      // a table of another kind is refused by name before its columns are compared with the model's
      checkSchema: (schema) => {
        if (schema.trainable && schema.version !== model.schemaVersion) {
          throw new BadDataError(
            `${opts.input} holds ${schema.version} features (one row per ${schema.level}) but ${modelPath} was trained on ${model.schemaVersion} (one row per ${model.featureLevel})`,
            `score a table made as the training data was (\`${KNOWN_SCHEMAS.find((k) => k.version === model.schemaVersion)?.makeWith ?? 'netml extract'}\`), or train a model on this one (\`netml train --input ${opts.input}\`)`,
          );
        }
      },
      onProgress: (done, total) => status.update(`reading ${featuresPath}: ${((100 * done) / total).toFixed(0)}%`),
    });
    const loaded = performance.now();
    const control: PoolControl = {
      threads,
      interrupted: () => interruption.interrupted,
      onProgress: (done, total) => status.update(`scoring ${formatCount(done)} / ${formatCount(total)} rows`),
    };
    const detections = await runDetection(model, table.matrix, control);
    const scored = performance.now();
    // the per-packet files are written in full first but named last, after detections.csv and summary.json:
    // a failure or Ctrl+C while the capture is read again leaves every earlier result as it was
    if (packetPlan) {
      pending = await writePacketOutputs(
        packetPlan,
        table.identifiers,
        detections,
        model.classes,
        {
          interrupted: () => interruption.interrupted,
          onProgress: (done, total) => status.update(`matching packets to flows in ${packetPlan.capture}${total > 0 ? `: ${((100 * done) / total).toFixed(0)}%` : ''}`),
        },
        io,
      );
    }
    const mapped = performance.now();
    status.clear();
    await throwIfInterrupted(control, packetPlan ? 'mapping packets to flows' : 'scoring');
    writeDetectionsCsv(opts.output, table.identifiers, detections, model.classes);
    const summary = summarizeDetections(model, modelPath, opts, detections, table.identifiers, table.labels);
    if (pending) {
      const { outputs, ...counts } = pending.summary;
      summary.packets = counts;
      Object.assign(summary.outputs, outputs);
    }
    const now = performance.now();
    summary.timing = {
      loadSeconds: (loaded - started) / 1000,
      scoreSeconds: (scored - loaded) / 1000,
      ...(pending ? { packetsSeconds: (mapped - scored) / 1000 } : {}),
      writeSeconds: (now - mapped) / 1000,
      totalSeconds: (now - started) / 1000,
      threads,
    };
    writeTextFileAtomically(opts.summary, `${JSON.stringify(summary, null, 2)}\n`);
    pending?.commit();
    pending = undefined;
    print(summary, opts, io);
    if (opts.failOnSuspicious && detections.suspiciousCount > 0) {
      if (!opts.json) io.stderr.write(`netml: ${formatCount(detections.suspiciousCount)} suspicious rows (--fail-on-suspicious)\n`);
      return ExitCode.failure;
    }
    return ExitCode.ok;
  } finally {
    // still pending: something failed after the packet pass; its files must not appear
    pending?.abandon();
    status.clear();
    interruption.release();
    if (extracted) rmSync(extracted, { recursive: true, force: true });
  }
}

/** Scores a matrix whose columns are model.featureNames, in that order. */
export async function runDetection(model: NetmlModel, matrix: FeatureMatrix, control: PoolControl): Promise<Detections> {
  if (matrix.columns !== model.featureNames.length) {
    throw new BadDataError(`the rows have ${matrix.columns} feature columns; the model was trained on ${model.featureNames.length}`, 'extract and train with the same netml version');
  }
  const outputs = await computeOutputs(model.forest, matrix, control);
  return verdicts(model, outputs, matrix.rows);
}

export function loadModel(path: string): NetmlModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw inputFileError(path, err, MODEL_INPUT);
  }
  if (text.trim() === '') throw new BadDataError(`${path} is empty: not a model file`, 'train the model again with `netml train`');
  return parseModel(text, path, TRAINABLE_SCHEMA_VERSIONS);
}

function defaultModelPath(): string {
  const present = DEFAULT_MODELS.filter((p) => existsSync(p));
  if (present.length === 1) return present[0];
  if (present.length === 0) {
    throw new MissingInputError(DEFAULT_MODELS[0], `no model in ${DEFAULT_MODELS.join(' or ')}`, 'train one first: `netml train --model iforest` (or --model rf), or give --model');
  }
  throw new UsageError(`both ${present.join(' and ')} exist: which one?`, `give --model ${present[0]} or --model ${present[1]}`);
}

export function summarizeDetections(
  model: NetmlModel,
  modelPath: string,
  opts: DetectOptions,
  detections: Detections,
  identifiers: IdentifierCells | null,
  labels: { classes: string[]; y: Int32Array } | null,
): DetectionSummary {
  const rows = detections.score.length;
  const suspicious = detections.suspiciousCount;
  let byPredictedClass: Record<string, number> | null = null;
  if (model.classes && detections.predictedClass) {
    const counts = model.classes.map(() => 0);
    for (let r = 0; r < rows; r++) counts[detections.predictedClass[r]]++;
    byPredictedClass = Object.fromEntries(model.classes.map((c, i) => [c, counts[i]]));
  }
  let byLabel: DetectionSummary['byLabel'] = null;
  if (labels) {
    byLabel = labels.classes.map((label) => ({ label, rows: 0, suspicious: 0, suspiciousShare: 0 }));
    for (let r = 0; r < rows; r++) {
      const e = byLabel[labels.y[r]];
      e.rows++;
      e.suspicious += detections.suspicious[r];
    }
    for (const e of byLabel) e.suspiciousShare = e.rows > 0 ? e.suspicious / e.rows : 0;
  }
  // the highest-scoring suspicious rows
  const suspiciousRows: number[] = [];
  for (let r = 0; r < rows; r++) if (detections.suspicious[r]) suspiciousRows.push(r);
  const top = suspiciousRows.sort((a, b) => detections.score[b] - detections.score[a] || a - b).slice(0, opts.top);
  const decoder = new TextDecoder();
  const cellsOf = (r: number): Record<string, string> => {
    if (!identifiers) return {};
    const cells = decoder.decode(identifiers.bytes.subarray(identifiers.offsets[r], identifiers.offsets[r + 1])).split(',');
    return Object.fromEntries(identifiers.names.map((name, i) => [name, cells[i] ?? '']));
  };
  const topSuspicious = top.map((r) => {
    const entry: Record<string, string | number> = { row: r + 1, ...cellsOf(r), score: detections.score[r], verdict: VERDICT_SUSPICIOUS };
    if (model.classes && detections.predictedClass) entry.predictedClass = model.classes[detections.predictedClass[r]];
    return entry;
  });
  // hosts: how many suspicious rows each address took part in
  const hosts = new Map<string, { host: string; suspiciousRows: number; asSource: number; asDestination: number }>();
  const srcIndex = identifiers?.names.indexOf('src_addr') ?? -1;
  const dstIndex = identifiers?.names.indexOf('dst_addr') ?? -1;
  if (identifiers && (srcIndex >= 0 || dstIndex >= 0)) {
    for (const r of suspiciousRows) {
      const cells = decoder.decode(identifiers.bytes.subarray(identifiers.offsets[r], identifiers.offsets[r + 1])).split(',');
      const seen = new Set<string>();
      for (const [index, role] of [
        [srcIndex, 'asSource'],
        [dstIndex, 'asDestination'],
      ] as const) {
        if (index < 0 || !cells[index]) continue;
        const host = cells[index];
        let h = hosts.get(host);
        if (!h) hosts.set(host, (h = { host, suspiciousRows: 0, asSource: 0, asDestination: 0 }));
        h[role]++;
        if (!seen.has(host)) {
          h.suspiciousRows++;
          seen.add(host);
        }
      }
    }
  }
  const topHosts = [...hosts.values()].sort((a, b) => b.suspiciousRows - a.suspiciousRows || a.host.localeCompare(b.host)).slice(0, opts.top);
  return {
    model: modelPath,
    modelKind: model.kind,
    schemaVersion: model.schemaVersion,
    input: opts.input,
    rows,
    suspicious,
    normal: rows - suspicious,
    suspiciousShare: rows > 0 ? suspicious / rows : 0,
    threshold: model.threshold,
    byPredictedClass,
    byLabel,
    topSuspicious,
    topHosts,
    outputs: { detections: opts.output, summary: opts.summary },
    timing: { loadSeconds: 0, scoreSeconds: 0, writeSeconds: 0, totalSeconds: 0, threads: 1 },
  };
}

function print(summary: DetectionSummary, opts: DetectOptions, io: CliIo): void {
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  if (opts.quiet) return;
  const colour = useColour(io.stdout);
  const out: string[] = [];
  const rows: [string, string][] = [
    ['model', `${summary.model} (${summary.modelKind}${summary.threshold !== null ? `, threshold ${summary.threshold.toFixed(4)}` : ''})`],
    ['input', `${summary.input}: ${formatCount(summary.rows)} ${summary.rows === 1 ? 'row' : 'rows'}`],
    [VERDICT_SUSPICIOUS, `${formatCount(summary.suspicious)} (${(100 * summary.suspiciousShare).toFixed(2)}%)`],
    [VERDICT_NORMAL, formatCount(summary.normal)],
  ];
  if (summary.byPredictedClass) rows.push(['predicted classes', Object.entries(summary.byPredictedClass).map(([c, n]) => `${c} ${formatCount(n)}`).join(', ')]);
  if (summary.packets) {
    const p = summary.packets;
    rows.push([
      'packets',
      `${p.capture}: ${formatCount(p.packets)} (${formatCount(p.inSuspiciousFlows)} in suspicious flows, ${formatCount(p.notInFlows)} in no flow)`,
    ]);
  }
  out.push(keyValueTable(rows, colour, tableWidth(io.stdout)));
  if (summary.byLabel) {
    out.push(gridTable(['label (from the input)', 'rows', 'suspicious', 'share'], summary.byLabel.map((b) => [b.label, formatCount(b.rows), formatCount(b.suspicious), `${(100 * b.suspiciousShare).toFixed(2)}%`]), colour));
  }
  if (summary.topSuspicious.length > 0) {
    const flowish = 'src_addr' in summary.topSuspicious[0];
    const head = flowish ? ['row', 'source', 'destination', 'score'] : ['row', 'score'];
    if (summary.byPredictedClass) head.push('class');
    out.push(
      gridTable(
        head,
        summary.topSuspicious.map((t) => {
          const cells: (string | number)[] = [String(t.row)];
          if (flowish) cells.push(endpoint(t.src_addr, t.src_port), endpoint(t.dst_addr, t.dst_port));
          cells.push(Number(t.score).toFixed(4));
          if (summary.byPredictedClass) cells.push(String(t.predictedClass));
          return cells;
        }),
        colour,
      ),
    );
  }
  if (summary.topHosts.length > 0) {
    out.push(gridTable(['host', 'suspicious rows', 'as source', 'as destination'], summary.topHosts.map((h) => [h.host, formatCount(h.suspiciousRows), formatCount(h.asSource), formatCount(h.asDestination)]), colour));
  }
  const t = summary.timing;
  const packetsTook = t.packetsSeconds !== undefined ? `, packets ${formatSeconds(t.packetsSeconds)}` : '';
  const took = `${formatSeconds(t.totalSeconds)} (read ${formatSeconds(t.loadSeconds)}, score ${formatSeconds(t.scoreSeconds)}${packetsTook}, write ${formatSeconds(t.writeSeconds)}; ${t.threads} threads)`;
  const o = summary.outputs;
  const wrote = [o.detections, o.summary, o.packets, o.exportPcap].filter((path) => path !== undefined).join('\n');
  out.push(keyValueTable([['took', took], ['wrote', wrote]], colour, tableWidth(io.stdout)));
  io.stdout.write(`${out.join('\n')}\n`);
}

function endpoint(addr: string | number | undefined, port: string | number | undefined): string {
  if (addr === undefined) return '';
  const a = String(addr);
  return port === undefined || port === '0' ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}
