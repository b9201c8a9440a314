// --level host: per source address and aligned 1 s / 10 s / 60 s window, on small captures built with the
// project's frame builder: a port scan, window alignment, eviction, labels, and the properties every host
// table must have (packets add up per window size, header == schema, no empty or NaN cell).
import { describe, expect, it } from 'vitest';
import { officeFrames } from '../helpers/synthetic-capture.js';
import { HostExtraction } from '../../src/io/flow-extraction.js';
import { parseAddressPattern } from '../../src/features/flow-labels.js';
import { HOST_COLUMNS, HOST_CSV_HEADER } from '../../src/schema/host-columns.js';
import { ipv4, mac, tcpFrame } from '../../src/synth/frame-builder.js';
import { ACK, CLIENT, ping, RST, runExtraction, SERVER, SYN, TcpTalk, udp, type Host, type TimedFrame } from '../flow/flow-harness.js';

const ATTACKER: Host = { mac: mac('02:00:00:00:00:66'), ip: ipv4('10.9.9.66') };
/** 1,700,000,000 is a multiple of 10 but not of 60: windows of 60 s start at ...,1699999980, 1700000040 */
const T0 = 1_700_000_000;

function syn(from: Host, to: Host, sport: number, dport: number, t: number, flags = SYN): TimedFrame {
  return { t, frame: tcpFrame(from.mac, to.mac, { src: from.ip, dst: to.ip, ttl: 64 }, { srcPort: sport, dstPort: dport, seq: 1000, ack: flags & ACK ? 5000 : 0, flags, window: 1024, payloadLen: 0 }) };
}

/** A SYN scan of ports 1..n at 5 ms intervals; the server accepts ports 22 and 80 and resets the rest. */
function scan(n: number, t0: number): TimedFrame[] {
  const frames: TimedFrame[] = [];
  for (let port = 1; port <= n; port++) {
    const t = t0 + port * 0.005;
    frames.push(syn(ATTACKER, SERVER, 45000, port, t));
    frames.push(syn(SERVER, ATTACKER, port, 45000, t + 0.0002, port === 22 || port === 80 ? SYN | ACK : RST | ACK));
  }
  return frames;
}

const office = (seed: number, rounds: number): Generator<TimedFrame> => officeFrames({ seed, startEpochS: T0, rounds, clients: 4, floodSynsPerRound: 300 });

const rowOf = (rows: Record<string, string>[], addr: string, windowS: number) => rows.filter((r) => r.src_addr === addr && r.window_s === String(windowS));

describe('--level host', () => {
  it('shows a port scan: attempts, distinct ports, rejections and the failed share, at every window size', () => {
    const { header, rows } = runExtraction(new HostExtraction(), scan(100, T0 + 0.1));
    expect(header.join(',')).toBe(HOST_CSV_HEADER);
    const [attacker] = rowOf(rows, '10.9.9.66', 1);
    expect(attacker).toMatchObject({
      window_start_s: `${T0}.000000000`,
      packets: '100',
      syn_packets: '100',
      tcp_packets: '100',
      syn_share: '1',
      distinct_dst_addrs: '1',
      synack_received: '2',
      rst_received: '98',
      failed_conn_share: '0.98',
      conn_attempts_per_s: '100',
      evicted: '0',
    });
    // 100 ports: above the exact limit of 32, a HyperLogLog estimate (standard error 9.2%)
    expect(Math.abs(Number(attacker.distinct_dst_ports) - 100)).toBeLessThan(30);
    const [server] = rowOf(rows, '10.0.0.5', 1);
    expect(server).toMatchObject({ packets: '100', synack_packets: '2', rst_packets: '98', rst_share: '0.98', distinct_dst_addrs: '1', distinct_dst_ports: '1', syn_packets: '0', failed_conn_share: '0' });
    const [minute] = rowOf(rows, '10.9.9.66', 60);
    expect(minute).toMatchObject({ window_start_s: '1699999980.000000000', packets: '100', packets_per_s: '1.666667', conn_attempts_per_s: '1.666667' });
  });

  it('counts distinct destinations and ports exactly up to 32', () => {
    const frames = Array.from({ length: 32 }, (_, i) => udp(CLIENT, { mac: SERVER.mac, ip: ipv4(`10.0.1.${i + 1}`) }, 5000, 7000 + i, 10, T0 + 0.01 * i));
    frames.push(udp(CLIENT, SERVER, 5000, 7000, 10, T0 + 0.5)); // a 33rd address, a port seen already
    const { rows } = runExtraction(new HostExtraction({ windowsS: [1] }), frames);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ packets: '33', udp_packets: '33', distinct_dst_ports: '32', window_s: '1' });
    expect(Number(rows[0].distinct_dst_addrs)).toBeGreaterThanOrEqual(33);
  });

  it('aligns windows to multiples of their size and writes one row per window the host was active in', () => {
    const frames = [1.5, 1.7, 2.2, 9.9, 10.1, 61].map((dt) => ping(CLIENT, SERVER, false, 1, 1, T0 + dt));
    const { rows } = runExtraction(new HostExtraction(), frames);
    const starts = (w: number) => rowOf(rows, '192.168.1.10', w).map((r) => [Number(r.window_start_s) - T0, Number(r.packets)]).sort((a, b) => a[0] - b[0]);
    expect(starts(1)).toEqual([[1, 2], [2, 1], [9, 1], [10, 1], [61, 1]]);
    expect(starts(10)).toEqual([[0, 4], [10, 1], [60, 1]]);
    expect(starts(60)).toEqual([[-20, 5], [40, 1]]);
    for (const r of rows) expect(r.icmp_packets).toBe(r.packets);
  });

  it('adds up: per window size, the packets over all rows equal the IP packets read (office traffic with a scan and a flood)', () => {
    const frames = [...office(5, 12)];
    const extraction = new HostExtraction();
    const { header, rows, writer } = runExtraction(extraction, frames);
    expect(header).toEqual(HOST_COLUMNS.map((c) => c.name));
    expect(extraction.counts.rowsWritten).toBe(rows.length);
    for (const w of [1, 10, 60]) {
      const sum = rows.filter((r) => r.window_s === String(w)).reduce((n, r) => n + Number(r.packets), 0);
      expect(sum, `window ${w}`).toBe(extraction.counts.ipPackets);
    }
    expect(extraction.counts.ipPackets + extraction.counts.nonIpPackets).toBe(frames.length);
    for (const r of rows) {
      for (const c of HOST_COLUMNS) {
        expect(r[c.name], c.name).not.toBe('');
        if (c.type === 'int' || c.type === 'float') expect(Number.isFinite(Number(r[c.name])), `${c.name}=${r[c.name]}`).toBe(true);
      }
      expect(Number(r.failed_conn_share)).toBeGreaterThanOrEqual(0);
      expect(Number(r.failed_conn_share)).toBeLessThanOrEqual(1);
    }
    expect(writer.nonFiniteCells).toBe(0);
    // every (host, window size, window start) appears once when nothing was evicted
    const keys = rows.map((r) => `${r.src_addr} ${r.window_s} ${r.window_start_s}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(extraction.hosts.hostsEvicted).toBe(0);
  });

  it('gives the same rows whatever the batch size', () => {
    const frames = [...office(9, 4)];
    const sorted = (rows: Record<string, string>[]) => rows.map((r) => Object.values(r).join(',')).sort();
    const a = runExtraction(new HostExtraction(), frames, 1).rows;
    const b = runExtraction(new HostExtraction(), frames, 997).rows;
    expect(sorted(a)).toEqual(sorted(b));
  });

  it('bounds memory: a full table evicts its least recently seen host, writes its open windows early and counts it', () => {
    const hosts = [1, 2, 3].map((i) => ({ mac: CLIENT.mac, ip: ipv4(`192.168.1.${i}`) }));
    const frames: TimedFrame[] = [];
    for (let k = 0; k < 9; k++) frames.push(udp(hosts[k % 3], SERVER, 5000, 53, 40, T0 + 0.01 * k));
    const extraction = new HostExtraction({ windowsS: [10], maxHosts: 2 });
    const { rows } = runExtraction(extraction, frames);
    expect(extraction.hosts.table.peakSize).toBe(2);
    expect(extraction.hosts.hostsEvicted).toBeGreaterThan(0);
    expect(rows.filter((r) => r.evicted === '1').length).toBe(extraction.hosts.rowsWrittenEarly);
    expect(rows.reduce((n, r) => n + Number(r.packets), 0)).toBe(9);
  });

  it('lets hosts silent for longer than the largest window go, writing their rows on the way', () => {
    const frames = [ping(CLIENT, SERVER, false, 1, 1, T0 + 1), ping(SERVER, CLIENT, true, 1, 1, T0 + 200)];
    const extraction = new HostExtraction();
    const { rows } = runExtraction(extraction, frames);
    // the client's three rows were written when the server's packet came, before the end of input
    expect(rows.slice(0, 3).every((r) => r.src_addr === '192.168.1.10')).toBe(true);
    expect(rows).toHaveLength(6);
  });

  it('labels rows by the rules on the source and the time window; rules on other fields label no host', () => {
    const talk = new TcpTalk(CLIENT, SERVER).c(T0 + 1, SYN).s(T0 + 1.001, SYN | ACK).c(T0 + 1.002, ACK);
    const frames = [...scan(10, T0 + 30), ...talk.frames].sort((a, b) => a.t - b.t);
    const rules = [
      { label: 'port-scan', src: parseAddressPattern('10.9.9.0/24'), startEpochS: T0 + 30, endEpochS: T0 + 31 },
      { label: 'web', dstPort: 80 },
    ];
    const extraction = new HostExtraction({ rules });
    const { header, rows } = runExtraction(extraction, frames);
    expect(header.at(-1)).toBe('label');
    for (const r of rows) {
      const start = Number(r.window_start_s) - T0;
      const end = start + Number(r.window_s);
      const expected = r.src_addr === '10.9.9.66' && end > 30 && start <= 31 ? 'port-scan' : 'normal';
      expect(r.label, `${r.src_addr} ${r.window_s} ${start}`).toBe(expected);
    }
    expect(extraction.labelCounts()).toEqual({ 'port-scan': 3, normal: rows.length - 3 });
  });

  it('counts answers only for hosts it tracks, in the window they arrive', () => {
    // a SYN at .999 answered at 1.001: failed in the first second, answered in the next
    const frames = [syn(CLIENT, SERVER, 40000, 80, T0 + 0.999), syn(SERVER, CLIENT, 80, 40000, T0 + 1.001, SYN | ACK)];
    const { rows } = runExtraction(new HostExtraction({ windowsS: [1, 10] }), frames);
    const client = rowOf(rows, '192.168.1.10', 1).sort((a, b) => Number(a.window_start_s) - Number(b.window_start_s));
    expect(client.map((r) => [r.packets, r.syn_packets, r.synack_received, r.failed_conn_share])).toEqual([
      ['1', '1', '0', '1'],
      ['0', '0', '1', '0'],
    ]);
    expect(rowOf(rows, '192.168.1.10', 10)[0]).toMatchObject({ syn_packets: '1', synack_received: '1', failed_conn_share: '0' });
  });
});
