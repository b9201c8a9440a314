// Fixed inputs for the chart golden files: two minutes of a small office host's traffic (web, DNS, a download
// burst, pings, ARP, a port scan, a silent gap) and the detections of its flows, from a seeded generator, so
// every run draws exactly the same charts.

import { SeededRandom } from '../../src/synth/seeded-random.js';
import { type DetectionRecord, DetectionSummaryBuilder, type DetectionSummary } from '../../src/viz/detection-summary.js';
import { localNetworks } from '../../src/viz/local-addresses.js';
import { type PacketRecord, TrafficSummaryBuilder, type TrafficSummary } from '../../src/viz/traffic-summary.js';

/** 2026-11-01 08:00:00 UTC */
export const T0 = 1793520000;
export const HOST = '192.168.1.10';
export const LAN = '192.168.1.0/24';

export function officePackets(): PacketRecord[] {
  const rng = new SeededRandom(42);
  const out: PacketRecord[] = [];
  const push = (t: number, wireBytes: number, src: string, dst: string, protocol: string, srcPort = -1, dstPort = -1) =>
    out.push({ timeS: T0 + t, wireBytes, src, dst, protocol, srcPort, dstPort });
  for (let s = 0; s < 120; s++) {
    if (s >= 100 && s < 105) continue; // silence: the chart must drop to zero, not interpolate
    const web = rng.int(3, 10);
    for (let i = 0; i < web; i++) {
      const t = s + rng.next();
      push(t, 120, HOST, '93.184.216.34', 'tcp', 50000 + (s % 7), 443);
      push(t + 0.01, 1400, '93.184.216.34', HOST, 'tcp', 443, 50000 + (s % 7));
    }
    if (s % 10 === 0) {
      push(s + 0.2, 80, HOST, '192.168.1.1', 'udp', 53111, 53);
      push(s + 0.21, 160, '192.168.1.1', HOST, 'udp', 53, 53111);
    }
    if (s % 20 === 5) {
      push(s + 0.5, 98, HOST, '8.8.8.8', 'icmp');
      push(s + 0.52, 98, '8.8.8.8', HOST, 'icmp');
    }
    if (s % 15 === 3) {
      push(s + 0.3, 90, 'fe80::1', 'ff02::1', 'icmpv6');
      push(s + 0.4, 1300, '2001:db8:0:1::2', '2001:db8:0:1::10d', 'tcp', 443, 40001);
    }
    if (s % 30 === 0) {
      push(s + 0.1, 60, '192.168.1.1', HOST, 'arp');
      push(s + 0.11, 60, HOST, '192.168.1.1', 'arp');
    }
    if (s >= 60 && s < 66) {
      for (let i = 0; i < 200; i++) push(s + i / 200, 1514, '198.51.100.7', HOST, 'tcp', 80, 41000);
      for (let i = 0; i < 100; i++) push(s + i / 100, 66, HOST, '198.51.100.7', 'tcp', 41000, 80);
    }
    if (s === 90) {
      for (let port = 1; port <= 200; port++) push(s + port / 400, 64, '203.0.113.66', HOST, 'tcp', 61000, port);
    }
    if (s === 47) push(s + 0.5, 1500, '192.168.1.20', '192.168.1.30', 'gre');
  }
  return out;
}

export function trafficSummary(packets: PacketRecord[] = officePackets()): TrafficSummary {
  const builder = new TrafficSummaryBuilder(localNetworks([LAN], 'option'));
  for (const p of packets) builder.add(p);
  return builder.finish();
}

/** One row per flow: ordinary flows score around 0.45, the scan's flows (at 90 s) and a burst at 61 s above 0.62. */
export function officeDetections(kind: 'iforest' | 'rf'): DetectionRecord[] {
  const rng = new SeededRandom(7);
  const rows: DetectionRecord[] = [];
  let row = 0;
  for (let s = 0; s < 120; s++) {
    if (s >= 100 && s < 105) continue;
    const flows = s === 90 ? 12 : s === 61 ? 4 : 2;
    for (let i = 0; i < flows; i++) {
      row++;
      const scan = s === 90;
      const burst = s === 61;
      let score = Math.min(0.6, Math.max(0.3, 0.45 + 0.04 * rng.normal()));
      if (scan) score = 0.7 + 0.01 * i;
      if (burst) score = 0.64 + 0.005 * i;
      const suspicious = kind === 'iforest' ? score > 0.62 : scan || (burst && i < 2);
      rows.push({
        row,
        id: String(row),
        timeS: T0 + s + i / 100,
        src: scan ? '203.0.113.66' : burst ? '198.51.100.7' : i % 2 === 0 ? HOST : '2001:db8:0:1::10d',
        dst: scan ? HOST : burst ? HOST : i % 2 === 0 ? '93.184.216.34' : '2001:db8:0:1::2',
        srcPort: scan ? 61000 : 50000 + row,
        dstPort: scan ? 1 + i : burst ? 80 : 443,
        score: kind === 'rf' ? (suspicious ? Math.max(score, 0.55) : Math.min(score, 0.45)) : score,
        suspicious,
        predictedClass: kind === 'rf' ? (scan ? 'portscan' : suspicious ? 'dos' : 'normal') : '',
      });
    }
  }
  return rows;
}

export function detectionSummary(kind: 'iforest' | 'rf', rows: DetectionRecord[] = officeDetections(kind)): DetectionSummary {
  const builder = new DetectionSummaryBuilder({
    threshold: kind === 'iforest' ? 0.62 : null,
    classDecided: kind === 'rf',
    idName: 'flow_id',
    has: { id: true, time: true, addresses: true, ports: true, classes: kind === 'rf' },
  });
  for (const r of rows) builder.add(r);
  return builder.finish();
}
