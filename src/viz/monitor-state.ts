// What `netml monitor` shows, kept up to date packet by packet and closed once per interval: upload and
// download rates relative to the local addresses, their recent history for the scrolling charts, totals,
// top destinations, the most recent packets and judged flows. Pure: the CLI feeds it and draws it.

import type { LocalAddresses } from './local-addresses.js';
import { MAX_ADDRESSES, type PacketRecord } from './traffic-summary.js';

export interface RecentPacket {
  timeS: number;
  protocol: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  bytes: number;
}

export interface JudgedFlow {
  /** when the verdict was given (the flow ended or was judged by the clock tick) */
  timeS: number;
  protocol: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  packets: number;
  score: number;
  suspicious: boolean;
  /** random forest: the predicted class */
  predictedClass: string;
}

export interface IntervalFigures {
  /** end of the interval, epoch seconds */
  timeS: number;
  intervalS: number;
  uploadBytesPerS: number;
  downloadBytesPerS: number;
  packetsPerS: number;
  packets: number;
  bytes: number;
  totalPackets: number;
  totalBytes: number;
  kernelDrops: number;
  flowsJudged: number;
  flowsSuspicious: number;
}

/** Intervals of history kept for the charts: wider than any terminal. */
export const HISTORY = 600;
export const RECENT = 20;

export class MonitorState {
  readonly local: LocalAddresses;
  readonly startedS: number;
  readonly upload: number[] = [];
  readonly download: number[] = [];
  readonly packetRate: number[] = [];
  totalPackets = 0;
  totalBytes = 0;
  uploadBytes = 0;
  downloadBytes = 0;
  peakUpload = 0;
  peakDownload = 0;
  flowsJudged = 0;
  flowsSuspicious = 0;
  kernelDrops = 0;
  intervals = 0;
  last: IntervalFigures | undefined;
  /** newest last */
  readonly recentPackets: RecentPacket[] = [];
  readonly recentFlows: JudgedFlow[] = [];
  private readonly destinations = new Map<string, [number, number]>();
  private intervalPackets = 0;
  private intervalBytes = 0;
  private intervalUpload = 0;
  private intervalDownload = 0;
  private intervalJudged = 0;
  private intervalSuspicious = 0;

  constructor(local: LocalAddresses, startedS: number) {
    this.local = local;
    this.startedS = startedS;
  }

  addPacket(p: PacketRecord): void {
    const bytes = p.wireBytes;
    this.intervalPackets++;
    this.intervalBytes += bytes;
    const srcLocal = this.local.matches(p.src);
    const dstLocal = this.local.matches(p.dst);
    if (srcLocal && !dstLocal) this.intervalUpload += bytes;
    else if (dstLocal && !srcLocal) this.intervalDownload += bytes;
    if (p.dst !== '') {
      const e = this.destinations.get(p.dst);
      if (e) {
        e[0]++;
        e[1] += bytes;
      } else if (this.destinations.size < MAX_ADDRESSES) this.destinations.set(p.dst, [1, bytes]);
    }
    const recent = this.recentPackets;
    if (recent.length === RECENT) recent.shift();
    recent.push({ timeS: p.timeS, protocol: p.protocol, src: p.src, dst: p.dst, srcPort: p.srcPort, dstPort: p.dstPort, bytes });
  }

  addFlow(flow: JudgedFlow): void {
    this.intervalJudged++;
    if (flow.suspicious) this.intervalSuspicious++;
    const recent = this.recentFlows;
    if (recent.length === RECENT) recent.shift();
    recent.push(flow);
  }

  /** Ends the interval that lasted `elapsedS` at `nowS`; `kernelDrops` is libpcap's running count. */
  closeInterval(nowS: number, elapsedS: number, kernelDrops: number): IntervalFigures {
    const s = elapsedS > 0 ? elapsedS : 1;
    this.totalPackets += this.intervalPackets;
    this.totalBytes += this.intervalBytes;
    this.uploadBytes += this.intervalUpload;
    this.downloadBytes += this.intervalDownload;
    this.flowsJudged += this.intervalJudged;
    this.flowsSuspicious += this.intervalSuspicious;
    this.kernelDrops = kernelDrops;
    this.intervals++;
    const f: IntervalFigures = {
      timeS: nowS,
      intervalS: elapsedS,
      uploadBytesPerS: this.intervalUpload / s,
      downloadBytesPerS: this.intervalDownload / s,
      packetsPerS: this.intervalPackets / s,
      packets: this.intervalPackets,
      bytes: this.intervalBytes,
      totalPackets: this.totalPackets,
      totalBytes: this.totalBytes,
      kernelDrops,
      flowsJudged: this.intervalJudged,
      flowsSuspicious: this.intervalSuspicious,
    };
    push(this.upload, f.uploadBytesPerS);
    push(this.download, f.downloadBytesPerS);
    push(this.packetRate, f.packetsPerS);
    if (f.uploadBytesPerS > this.peakUpload) this.peakUpload = f.uploadBytesPerS;
    if (f.downloadBytesPerS > this.peakDownload) this.peakDownload = f.downloadBytesPerS;
    this.intervalPackets = 0;
    this.intervalBytes = 0;
    this.intervalUpload = 0;
    this.intervalDownload = 0;
    this.intervalJudged = 0;
    this.intervalSuspicious = 0;
    this.last = f;
    return f;
  }

  /** Destinations by bytes received since the start, largest first. */
  topDestinations(n: number): { address: string; packets: number; bytes: number }[] {
    return [...this.destinations]
      .map(([address, [packets, bytes]]) => ({ address, packets, bytes }))
      .sort((a, b) => b.bytes - a.bytes || b.packets - a.packets || (a.address < b.address ? -1 : 1))
      .slice(0, n);
  }
}

function push(history: number[], value: number): void {
  if (history.length === HISTORY) history.shift();
  history.push(value);
}
