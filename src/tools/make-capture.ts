// Writes a synthetic capture made by netml itself (see src/synth/office-traffic.ts): the bundled
// dataset/sample.pcap and the large benchmark captures come from here, never from third parties.
//   node dist/tools/make-capture.js OUT.pcap [--rounds 60] [--clients 12] [--sessions 0.3] [--seed 7] [--attacks] [--flood N] [--flood-answered SHARE] [--max-response BYTES] [--labels OUT.json]
// --labels writes the attacks' ground truth as `netml extract --labels` rules.

import { PcapWriter } from '../capture/pcap-writer.js';
import { FileSink } from '../io/file-sink.js';
import { writeFileSync } from 'node:fs';
import { officeAttackLabels, officeTraffic } from '../synth/office-traffic.js';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const args = process.argv.slice(2);
const out = args[0];
if (!out || out.startsWith('--')) {
  process.stderr.write('usage: make-capture OUT.pcap [--rounds N] [--clients N] [--sessions X] [--seed N] [--attacks] [--flood SYNS_PER_ROUND] [--flood-answered SHARE] [--max-response BYTES] [--labels OUT.json]\n');
  process.exit(64);
}
const sink = new FileSink(out, { atomic: true });
const writer = new PcapWriter(sink, 1, 262144);
let packets = 0;
const options = {
  seed: option(args, '--seed', 7),
  startEpochS: option(args, '--start', 1793520000), // 2026-11-01 08:00 UTC
  rounds: option(args, '--rounds', 60),
  clients: option(args, '--clients', 12),
  sessionsPerClientRound: option(args, '--sessions', 0.3),
  attacks: args.includes('--attacks'),
  floodSynsPerRound: option(args, '--flood', 2000),
  floodAnsweredShare: option(args, '--flood-answered', 0.3),
  maxResponseBytes: option(args, '--max-response', 60000),
};
for (const round of officeTraffic(options)) {
  for (const p of round) {
    const sec = Math.floor(p.timeUs / 1e6);
    writer.writeFrame(p.frame, 0, p.frame.length, p.frame.length, sec, (p.timeUs - sec * 1e6) * 1000);
  }
  packets += round.length;
}
sink.close();
process.stderr.write(`wrote ${packets} packets to ${out}\n`);
const labelsAt = args.indexOf('--labels');
if (labelsAt >= 0) {
  const labelsPath = args[labelsAt + 1];
  writeFileSync(labelsPath, `${JSON.stringify(officeAttackLabels(options), null, 2)}\n`);
  process.stderr.write(`wrote the label rules to ${labelsPath}\n`);
}
