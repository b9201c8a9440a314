// What the detection charts draw, gathered in one pass over results/detections.csv rows: verdict and class
// counts, the highest score per second, the top suspicious rows and the hosts they involve. Bounded like
// the traffic summary: merging time bins, a fixed-size top list, a capped host table.

import { MAX_ADDRESSES } from './traffic-summary.js';
import { TimeBins } from './time-bins.js';

/** One row of detections.csv; '' and -1 for the identifier cells a file does not have. */
export interface DetectionRecord {
  /** 1-based row number in the file */
  row: number;
  /** the row's own identifier: flow_id, packet_number, Flow ID... ('' when none) */
  id: string;
  /** the row's time (flow start, packet time, window start), NaN when the file has none */
  timeS: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  score: number;
  suspicious: boolean;
  /** random forest only; '' otherwise */
  predictedClass: string;
}

export interface SuspiciousHost {
  host: string;
  /** suspicious rows the host took part in (as source or destination) */
  suspiciousRows: number;
  asSource: number;
  asDestination: number;
  maxScore: number;
}

/** Channels of DetectionSummary.bins. */
export const DetectionChannel = { maxScore: 0, rows: 1, suspicious: 2 } as const;

export interface DetectionSummary {
  rows: number;
  normal: number;
  suspicious: number;
  /** the line drawn on the score chart; null when no single threshold separates the verdicts (random forest) */
  threshold: number | null;
  /** 'model': from the model / summary.json; 'verdicts': inferred between the highest NORMAL and lowest SUSPICIOUS score */
  thresholdOrigin: 'model' | 'verdicts' | null;
  /** what the x axis of the score chart counts */
  axis: 'time' | 'row';
  bins: TimeBins;
  firstTimeS: number;
  lastTimeS: number;
  /** predicted classes (random forest), most rows first; null without a class column */
  classes: { name: string; rows: number }[] | null;
  /** the highest-scoring suspicious rows, highest first */
  topSuspicious: DetectionRecord[];
  hosts: SuspiciousHost[];
  /** which identifier cells the file has, so tables show only real columns */
  has: { id: boolean; time: boolean; addresses: boolean; ports: boolean; classes: boolean };
  idName: string;
  maxNormalScore: number;
  minSuspiciousScore: number;
}

/** Suspicious rows kept for the tables: more than any table shows. */
export const TOP_KEPT = 100;

export interface DetectionSummaryOptions {
  /** the model's threshold when known (summary.json); otherwise inferred from the verdicts where possible */
  threshold?: number | null;
  /** true when the model kind is known to decide by class, not by a threshold (random forest) */
  classDecided?: boolean;
  has: DetectionSummary['has'];
  idName?: string;
}

export class DetectionSummaryBuilder {
  private readonly options: DetectionSummaryOptions;
  private readonly bins = new TimeBins(['max', 'sum', 'sum']);
  private rows = 0;
  private suspicious = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private maxNormal = Number.NEGATIVE_INFINITY;
  private minSuspicious = Number.POSITIVE_INFINITY;
  private readonly classes = new Map<string, number>();
  private readonly top: DetectionRecord[] = [];
  private readonly hosts = new Map<string, SuspiciousHost>();

  constructor(options: DetectionSummaryOptions) {
    this.options = options;
  }

  add(d: DetectionRecord): void {
    this.rows++;
    const x = this.options.has.time ? d.timeS : d.row;
    if (Number.isFinite(x)) {
      if (x < this.first) this.first = x;
      if (x > this.last) this.last = x;
      this.bins.add(x, DetectionChannel.maxScore, d.score);
      this.bins.add(x, DetectionChannel.rows, 1);
      if (d.suspicious) this.bins.add(x, DetectionChannel.suspicious, 1);
    }
    if (this.options.has.classes && d.predictedClass !== '') this.classes.set(d.predictedClass, (this.classes.get(d.predictedClass) ?? 0) + 1);
    if (!d.suspicious) {
      if (d.score > this.maxNormal) this.maxNormal = d.score;
      return;
    }
    this.suspicious++;
    if (d.score < this.minSuspicious) this.minSuspicious = d.score;
    this.keepTop(d);
    if (d.src !== '') this.countHost(d.src, 'asSource', d.score);
    if (d.dst !== '' && d.dst !== d.src) this.countHost(d.dst, 'asDestination', d.score);
  }

  private keepTop(d: DetectionRecord): void {
    const top = this.top;
    if (top.length === TOP_KEPT && !(d.score > top[top.length - 1].score)) return;
    // insertion after every row of the same score keeps file order among ties
    let i = top.length;
    while (i > 0 && top[i - 1].score < d.score) i--;
    top.splice(i, 0, { ...d });
    if (top.length > TOP_KEPT) top.pop();
  }

  private countHost(host: string, role: 'asSource' | 'asDestination', score: number): void {
    let h = this.hosts.get(host);
    if (!h) {
      if (this.hosts.size >= MAX_ADDRESSES) return;
      h = { host, suspiciousRows: 0, asSource: 0, asDestination: 0, maxScore: score };
      this.hosts.set(host, h);
    }
    h.suspiciousRows++;
    h[role]++;
    if (score > h.maxScore) h.maxScore = score;
  }

  finish(): DetectionSummary {
    let threshold: number | null = null;
    let thresholdOrigin: DetectionSummary['thresholdOrigin'] = null;
    if (this.options.threshold !== undefined && this.options.threshold !== null && Number.isFinite(this.options.threshold)) {
      threshold = this.options.threshold;
      thresholdOrigin = 'model';
    } else if (!this.options.classDecided && this.suspicious > 0 && this.rows > this.suspicious && this.maxNormal < this.minSuspicious) {
      // every NORMAL score is below every SUSPICIOUS one: any cut between them reproduces the verdicts
      threshold = (this.maxNormal + this.minSuspicious) / 2;
      thresholdOrigin = 'verdicts';
    }
    const hosts = [...this.hosts.values()].sort(
      (a, b) => b.suspiciousRows - a.suspiciousRows || b.maxScore - a.maxScore || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0),
    );
    const classes = this.options.has.classes
      ? [...this.classes].map(([name, rows]) => ({ name, rows })).sort((a, b) => b.rows - a.rows || (a.name < b.name ? -1 : 1))
      : null;
    return {
      rows: this.rows,
      normal: this.rows - this.suspicious,
      suspicious: this.suspicious,
      threshold,
      thresholdOrigin,
      axis: this.options.has.time ? 'time' : 'row',
      bins: this.bins,
      firstTimeS: Number.isFinite(this.first) ? this.first : Number.NaN,
      lastTimeS: Number.isFinite(this.last) ? this.last : Number.NaN,
      classes,
      topSuspicious: this.top,
      hosts,
      has: this.options.has,
      idName: this.options.idName ?? 'row',
      maxNormalScore: this.maxNormal,
      minSuspiciousScore: this.minSuspicious,
    };
  }
}
