// Capture files for CLI and I/O tests: timed frames written as a pcap (microsecond times kept exactly), and
// the synthetic office (src/synth/office-traffic.ts) as such frames, with the small defaults most tests use.
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { FileSink } from '../../src/io/file-sink.js';
import { officeTraffic, type OfficeTrafficOptions } from '../../src/synth/office-traffic.js';
import type { TimedFrame } from '../flow/flow-harness.js';

/** Writes the frames as an Ethernet pcap (nanosecond variant); returns how many. */
export function writeTimedPcap(path: string, frames: Iterable<TimedFrame>): number {
  const sink = new FileSink(path);
  const writer = new PcapWriter(sink, 1, 262144);
  let n = 0;
  for (const f of frames) {
    const us = Math.round(f.t * 1e6);
    const sec = Math.floor(us / 1e6);
    writer.writeFrame(f.frame, 0, f.frame.length, f.frame.length, sec, (us - sec * 1e6) * 1000);
    n++;
  }
  sink.close();
  return n;
}

/** The synthetic office with its scan and flood: 3 clients, one web session per client and round, 50 SYNs per flood round. */
export function* officeFrames(o: Partial<OfficeTrafficOptions> & Pick<OfficeTrafficOptions, 'seed' | 'rounds'>): Generator<TimedFrame> {
  const options: OfficeTrafficOptions = { startEpochS: 1_700_000_000, clients: 3, sessionsPerClientRound: 1, attacks: true, floodSynsPerRound: 50, ...o };
  for (const round of officeTraffic(options)) {
    for (const p of round) yield { t: p.timeUs / 1e6, frame: p.frame };
  }
}
