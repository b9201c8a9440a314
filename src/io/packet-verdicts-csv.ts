// results/packet-verdicts.csv (`netml detect --packets`): one row per packet of the capture, in capture
// order, carrying its flow's verdict from detections.csv: the packet's number and time, the flow's flow_id
// and its row in detections.csv (to join the two), then the flow's score, verdict and, for a random
// forest, predicted class, exactly as detections.csv has them. A packet in no flow (not IP: ARP, LLDP,
// STP..., or a frame too damaged to show its IP addresses; extract counts them as non-IP) has empty flow
// cells and the verdict NONE.
// The file is written under a temporary name and renamed when the caller closes the sink (after
// detections.csv and summary.json), so a failure or Ctrl+C never leaves half of one.

import type { Detections } from '../ml/detector.js';
import { classCell, scoreText, VERDICT_NORMAL, VERDICT_SUSPICIOUS } from './detections-csv.js';
import { FileSink } from './file-sink.js';

/** The verdict of a packet that belongs to no flow. */
export const VERDICT_NONE = 'NONE';

export const PACKET_VERDICT_COLUMNS = ['packet_number', 'time_s', 'flow_id', 'detections_row', 'score', 'verdict'] as const;

export class PacketVerdictsCsv {
  readonly sink: FileSink;
  private readonly detections: Detections;
  private readonly classCells: string[] | null;
  /** the cells after the time for a packet in no flow */
  private readonly noFlowTail: string;

  /** Opens `path` (under a temporary name) and writes the header; `classes` for a random forest. */
  constructor(path: string, detections: Detections, classes: readonly string[] | null) {
    this.detections = detections;
    this.classCells = classes && detections.predictedClass ? classes.map(classCell) : null;
    this.sink = new FileSink(path, { atomic: true });
    const header: string[] = [...PACKET_VERDICT_COLUMNS];
    if (this.classCells) header.push('predicted_class');
    this.sink.writeAscii(`${header.join(',')}\n`);
    // empty flow_id, detections_row and score (and predicted_class)
    this.noFlowTail = this.classCells ? `,,,,${VERDICT_NONE},\n` : `,,,,${VERDICT_NONE}\n`;
  }

  /** One packet; `row` is its flow's 0-based row in detections.csv, -1 for a packet in no flow. */
  write(packetNumber: number, tsSec: number, tsNsec: number, flowId: number, row: number): void {
    const time = `${packetNumber},${tsSec}.${String(tsNsec).padStart(9, '0')}`;
    if (row < 0) {
      this.sink.writeAscii(time + this.noFlowTail);
      return;
    }
    const d = this.detections;
    let line = `${time},${flowId},${row + 1},${scoreText(d.score[row])},${d.suspicious[row] ? VERDICT_SUSPICIOUS : VERDICT_NORMAL}`;
    if (this.classCells) line += `,${this.classCells[d.predictedClass![row]]}`;
    this.sink.writeAscii(`${line}\n`);
  }
}
