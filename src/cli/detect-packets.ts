// `netml detect --packets` and `--export-pcap`: verdicts per packet, and the packets of suspicious flows as
// a capture. Both need the capture the flows came from (the --input itself, or --capture next to a
// features CSV) and the flow each packet was counted in: PacketFlowMapper meters the packets again with
// extract's flow options and checks every flow against its row, so the mapping is exact or refused.
// One pass over the capture writes both files under temporary names; detect renames them (commit) only
// after detections.csv and summary.json are written, and drops them on any failure or Ctrl+C.

import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { isCaptureFile, openCaptureFile } from '../capture/capture-file.js';
import { BadDataError, inputFileError, UsageError, type NetmlError } from '../errors.js';
import { makeOutputDirectory } from '../io/atomic-text-file.js';
import { CaptureSubsetWriter } from '../io/capture-subset-writer.js';
import type { IdentifierCells } from '../io/feature-table.js';
import { giveToInvokingUser } from '../io/file-ownership.js';
import { PacketFlowMapper, type FlowMeteringOptions } from '../io/packet-flow-mapper.js';
import { PacketVerdictsCsv } from '../io/packet-verdicts-csv.js';
import type { Detections } from '../ml/detector.js';
import type { NetmlModel } from '../ml/model-file.js';
import { FLOWS_SCHEMA_VERSION } from '../schema/flow-columns.js';
import { captureWarningText } from './capture-warning-text.js';
import type { CliIo } from './main.js';
import { InterruptedError } from './ml-pool.js';

export const DEFAULT_PACKET_VERDICTS = 'results/packet-verdicts.csv';

/** What the options ask for: which capture, which outputs, which flow options. */
export interface PacketOutputPlan {
  capture: string;
  /** the capture came from --capture (its read warnings are news: extract did not print them) */
  separateCapture: boolean;
  /** the features the rows came from, for messages */
  table: string;
  packets?: string;
  exportPcap?: string;
  metering: FlowMeteringOptions;
}

export interface PacketOptions {
  input: string;
  output: string;
  summary: string;
  /** --packets: true without a file name */
  packets?: string | boolean;
  exportPcap?: string;
  capture?: string;
}

/**
 * Checks the options before anything is read or scored; undefined when neither --packets nor --export-pcap
 * was given. `inputIsCapture`: --input is a pcap/pcapng (its flows are extracted by detect itself).
 */
export function planPacketOutputs(opts: PacketOptions, model: NetmlModel, modelPath: string, inputIsCapture: boolean, metering: FlowMeteringOptions): PacketOutputPlan | undefined {
  const packets = opts.packets === true ? DEFAULT_PACKET_VERDICTS : typeof opts.packets === 'string' ? opts.packets : undefined;
  const exportPcap = opts.exportPcap;
  if (packets === undefined && exportPcap === undefined) {
    if (opts.capture !== undefined) throw new UsageError('--capture is read only for --packets or --export-pcap', 'add --packets and/or --export-pcap FILE, or drop --capture');
    return undefined;
  }
  const asked = [packets !== undefined ? '--packets' : '', exportPcap !== undefined ? '--export-pcap' : ''].filter(Boolean).join(' and ');
  const both = packets !== undefined && exportPcap !== undefined;
  // packets are mapped to flow records; a model of another level has no flows to take verdicts from
  if (model.schemaVersion !== FLOWS_SCHEMA_VERSION) {
    throw new UsageError(
      `${asked} ${both ? 'give' : 'gives'} each packet its flow's verdict, but ${modelPath} scores ${model.featureLevel} rows (${model.schemaVersion}), not flows`,
      `drop ${asked}, or use a model trained on \`netml extract\` flow features (${FLOWS_SCHEMA_VERSION})`,
    );
  }
  let capture: string;
  if (inputIsCapture) {
    if (opts.capture !== undefined) {
      throw new UsageError(`--input ${opts.input} is a capture already; --capture is for a features CSV input`, 'drop --capture');
    }
    capture = opts.input;
  } else {
    if (opts.capture === undefined) {
      throw new UsageError(
        `${asked} ${both ? 'need' : 'needs'} the packets: --input ${opts.input} is a features CSV, so give the capture it was extracted from with --capture`,
        `netml detect --input ${opts.input} --capture dataset/capture.pcap ${packets !== undefined ? '--packets' : `--export-pcap ${exportPcap}`} (or give the capture itself as --input)`,
      );
    }
    capture = opts.capture;
    if (!isCaptureFile(capture)) {
      // a missing or unreadable file says so; a readable one is not a capture
      const unreadable = readError(capture);
      if (unreadable) throw unreadable;
      throw new BadDataError(
        `--capture ${capture} is not a pcap or pcapng file`,
        'give the capture file `netml extract` read (packets.csv has no frame bytes to map or export)',
      );
    }
  }
  // no output may overwrite an input or another output (an export named like the capture would replace it)
  const roles: [string, string | undefined][] = [
    ['--input', opts.input],
    ['--capture', inputIsCapture ? undefined : capture],
    ['--output', opts.output],
    ['--summary', opts.summary],
    ['--packets', packets],
    ['--export-pcap', exportPcap],
  ];
  const seen = new Map<string, string>();
  for (const [role, path] of roles) {
    if (path === undefined) continue;
    const key = resolve(path);
    const other = seen.get(key);
    if (other !== undefined) throw new UsageError(`${other} and ${role} are the same file (${path})`, `give ${role} another path`);
    seen.set(key, role);
  }
  return {
    capture,
    separateCapture: !inputIsCapture,
    table: inputIsCapture ? `the flows extracted from ${capture}` : opts.input,
    packets,
    exportPcap,
    metering,
  };
}

/** isCaptureFile says only yes or no; reading one byte brings back the error to report (ENOENT, EISDIR, EACCES). */
function readError(path: string): NetmlError | undefined {
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, Buffer.alloc(1), 0, 1, 0);
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (err) {
    return inputFileError(path, err);
  }
}

export interface PacketOutputsSummary {
  capture: string;
  /** packets read from the capture (one row each in the per-packet file) */
  packets: number;
  /** packets in a flow, i.e. with a verdict */
  inFlows: number;
  /** packets in no flow (not IP): verdict NONE */
  notInFlows: number;
  /** packets of SUSPICIOUS flows (all of them are in the export) */
  inSuspiciousFlows: number;
  outputs: { packets?: string; exportPcap?: string };
}

/** Outputs written in full under temporary names: commit() gives them their names, abandon() drops them. */
export interface PendingPacketOutputs {
  summary: PacketOutputsSummary;
  commit(): void;
  abandon(): void;
}

export interface PacketPassControl {
  interrupted: () => boolean;
  onProgress: (bytesRead: number, fileBytes: number) => void;
}

export async function writePacketOutputs(
  plan: PacketOutputPlan,
  identifiers: IdentifierCells | null,
  detections: Detections,
  classes: readonly string[] | null,
  control: PacketPassControl,
  io: CliIo,
): Promise<PendingPacketOutputs> {
  if (!identifiers) throw new Error('packet outputs need the identifier cells of the rows');
  const hint = plan.separateCapture
    ? `give --capture the capture ${plan.table} was extracted from, and the flow options \`netml extract\` was given (--idle-timeout, --active-timeout, --max-flows) if they were not the defaults`
    : 'the flows were extracted from this capture a moment ago, so this is a bug: run again with --debug and report it';
  const mapper = new PacketFlowMapper(identifiers, plan.metering, { table: plan.table, capture: plan.capture, hint });
  const reader = await openCaptureFile(plan.capture);
  let csv: PacketVerdictsCsv | undefined;
  let pcap: CaptureSubsetWriter | undefined;
  const abandon = () => {
    csv?.sink.abandon();
    pcap?.sink.abandon();
  };
  const summary: PacketOutputsSummary = {
    capture: plan.capture,
    packets: 0,
    inFlows: 0,
    notInFlows: 0,
    inSuspiciousFlows: 0,
    outputs: { ...(plan.packets !== undefined ? { packets: plan.packets } : {}), ...(plan.exportPcap !== undefined ? { exportPcap: plan.exportPcap } : {}) },
  };
  try {
    if (plan.packets !== undefined) {
      makeOutputDirectory(plan.packets);
      csv = new PacketVerdictsCsv(plan.packets, detections, classes);
    }
    if (plan.exportPcap !== undefined) {
      makeOutputDirectory(plan.exportPcap);
      pcap = new CaptureSubsetWriter(plan.exportPcap, reader.format);
    }
    const suspicious = detections.suspicious;
    let inFlows = 0;
    let inSuspicious = 0;
    for await (const batch of reader.batches()) {
      const n = batch.count;
      for (let i = 0; i < n; i++) {
        const row = mapper.rowOf(batch, i);
        if (csv) csv.write(batch.firstPacketNumber + i, batch.tsSec[i], batch.tsNsec[i], mapper.lastFlowId, row);
        if (row < 0) continue;
        inFlows++;
        if (suspicious[row]) {
          inSuspicious++;
          if (pcap) pcap.write(batch, i, reader.interfaces);
        }
      }
      summary.packets += n;
      if (control.interrupted()) throw new InterruptedError('mapping packets to flows');
      control.onProgress(reader.bytesRead, reader.fileSizeBytes);
    }
    mapper.finish();
    pcap?.end(reader.interfaces);
    // everything on disk now, so commit() only has to rename
    csv?.sink.flush();
    pcap?.sink.flush();
    summary.inFlows = inFlows;
    summary.notInFlows = summary.packets - inFlows;
    summary.inSuspiciousFlows = inSuspicious;
    if (plan.separateCapture) {
      for (const w of reader.warnings) {
        io.stderr.write(`${captureWarningText(plan.capture, w)}\n`);
      }
    }
  } catch (err) {
    abandon();
    throw err;
  } finally {
    await reader.close();
  }
  return {
    summary,
    commit: () => {
      try {
        csv?.sink.close();
        pcap?.sink.close();
      } catch (err) {
        abandon();
        throw err;
      }
      if (plan.packets !== undefined) giveToInvokingUser(plan.packets);
      if (plan.exportPcap !== undefined) giveToInvokingUser(plan.exportPcap);
    },
    abandon,
  };
}
