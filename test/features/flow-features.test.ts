// features.csv at --level flow: golden rows for the small conversations every meter must get right, the
// statistics against a naive computation, chunking independence, and the no-empty/no-NaN contract.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { officeFrames } from '../helpers/synthetic-capture.js';
import { FLOW_COLUMNS, FLOW_CSV_HEADER } from '../../src/schema/flow-columns.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';
import * as P from '../helpers/packet-builder.js';
import { ACK, byTime, CLIENT, CLIENT6, extractFlows, FIN, ping, PSH, RST, SERVER, SERVER6, SYN, TcpTalk, udp, type TimedFrame } from '../flow/flow-harness.js';

const pick = (row: Record<string, string>, ...names: string[]) => Object.fromEntries(names.map((n) => [n, row[n]]));
const only = (frames: TimedFrame[]) => {
  const { rows } = extractFlows(frames);
  expect(rows).toHaveLength(1);
  return rows[0];
};

/** One capture with every scenario below, each on its own client port, for the golden file. */
function scenarios(): { name: string; frames: TimedFrame[] }[] {
  const talk = (port: number) => new TcpTalk(CLIENT, SERVER, port, 80);
  return [
    { name: 'handshake only', frames: talk(40001).c(1, SYN).s(1.0005, SYN | ACK).c(1.001, ACK).frames },
    {
      name: 'request, response, FIN/ACK teardown',
      frames: talk(40002).c(2, SYN).s(2.001, SYN | ACK).c(2.002, ACK).c(2.003, PSH | ACK, 300).s(2.01, PSH | ACK, 1200).c(2.011, ACK).c(3, FIN | ACK).s(3.001, FIN | ACK).c(3.002, ACK).frames,
    },
    {
      name: 'retransmitted request',
      frames: talk(40003).c(4, SYN).s(4.001, SYN | ACK).c(4.002, ACK).c(4.003, PSH | ACK, 300).again(4.203).s(4.21, ACK).frames,
    },
    { name: 'single SYN', frames: talk(40004).c(5, SYN).frames },
    { name: 'SYN to a closed port', frames: talk(40005).c(6, SYN).s(6.0001, RST | ACK).frames },
    { name: 'SYN scan of an open port', frames: talk(40006).c(7, SYN).s(7.0001, SYN | ACK).c(7.0002, RST).frames },
    { name: 'SYN then RST, no answer', frames: talk(40007).c(8, SYN).c(8.5, RST).frames },
    { name: 'SYN then FIN, no answer', frames: talk(40008).c(9, SYN).c(9.5, FIN).frames },
    { name: 'UDP request and response', frames: [udp(CLIENT, SERVER, 50000, 53, 33, 10), udp(SERVER, CLIENT, 53, 50000, 49, 10.002)] },
    { name: 'UDP request without answer', frames: [udp(CLIENT, SERVER, 50001, 53, 33, 11)] },
    { name: 'ICMP echo', frames: [1, 2, 3].flatMap((s) => [ping(CLIENT, SERVER, false, 7, s, 11 + s), ping(SERVER, CLIENT, true, 7, s, 11.0004 + s)]) },
    { name: 'IPv6 TCP', frames: new TcpTalk(CLIENT6, SERVER6, 40010, 443).c(15, SYN).s(15.001, SYN | ACK).c(15.002, ACK).c(15.003, PSH | ACK, 100).s(16, RST).frames },
  ];
}

describe('golden flow rows', () => {
  it('a handshake alone is S1 with history ShA', () => {
    expect(pick(only(scenarios()[0].frames), 'conn_state', 'history', 'end_reason', 'fwd_packets', 'bwd_packets', 'duration_s', 'client_from')).toEqual({
      conn_state: 'S1',
      history: 'ShA',
      end_reason: 'end-of-input',
      fwd_packets: '2',
      bwd_packets: '1',
      duration_s: '0.001',
      client_from: 'syn',
    });
  });

  it('a full exchange has exact per-direction counts, sizes, times and flags', () => {
    const row = only(scenarios()[1].frames);
    // client: SYN, ACK, request (54 + 300 bytes), ACK, FIN, last ACK; frames under 60 bytes are padded to 60
    expect(
      pick(row, 'fwd_packets', 'fwd_bytes_wire', 'fwd_payload_bytes', 'fwd_header_bytes', 'fwd_pkt_bytes_wire_min', 'fwd_pkt_bytes_wire_max', 'fwd_syn_count', 'fwd_ack_count', 'fwd_fin_count', 'fwd_psh_count'),
    ).toEqual({
      fwd_packets: '6',
      fwd_bytes_wire: '654',
      fwd_payload_bytes: '300',
      fwd_header_bytes: '240',
      fwd_pkt_bytes_wire_min: '60',
      fwd_pkt_bytes_wire_max: '354',
      fwd_syn_count: '1',
      fwd_ack_count: '5',
      fwd_fin_count: '1',
      fwd_psh_count: '1',
    });
    expect(pick(row, 'bwd_packets', 'bwd_bytes_wire', 'bwd_payload_bytes', 'bwd_iat_min_s', 'bwd_iat_max_s', 'bwd_iat_mean_s', 'bwd_init_window_bytes', 'bwd_first_ttl')).toEqual({
      bwd_packets: '3',
      bwd_bytes_wire: '1374',
      bwd_payload_bytes: '1200',
      bwd_iat_min_s: '0.009',
      bwd_iat_max_s: '0.991',
      bwd_iat_mean_s: '0.5',
      bwd_init_window_bytes: '509',
      bwd_first_ttl: '58',
    });
    expect(pick(row, 'duration_s', 'packets_per_s', 'down_up_packet_ratio', 'conn_state', 'history', 'end_reason')).toEqual({
      duration_s: '1.002',
      packets_per_s: '8.982036',
      down_up_packet_ratio: '0.5',
      conn_state: 'SF',
      history: 'ShADdFf',
      end_reason: 'fin',
    });
  });

  it('a retransmitted segment is counted and marked T in the history', () => {
    expect(pick(only(scenarios()[2].frames), 'fwd_retrans_packets', 'bwd_retrans_packets', 'fwd_payload_bytes', 'history')).toEqual({
      fwd_retrans_packets: '1',
      bwd_retrans_packets: '0',
      fwd_payload_bytes: '600',
      history: 'ShADTa',
    });
  });

  it('a single SYN is kept: S0, defined zeros for every statistic, -1 for the silent direction', () => {
    expect(
      pick(only(scenarios()[3].frames), 'conn_state', 'history', 'fwd_packets', 'bwd_packets', 'fwd_pkt_bytes_wire_std', 'fwd_iat_mean_s', 'duration_s', 'packets_per_s', 'down_up_packet_ratio', 'fwd_init_window_bytes', 'bwd_init_window_bytes', 'bwd_first_ttl', 'active_periods', 'active_max_s'),
    ).toEqual({
      conn_state: 'S0',
      history: 'S',
      fwd_packets: '1',
      bwd_packets: '0',
      fwd_pkt_bytes_wire_std: '0',
      fwd_iat_mean_s: '0',
      duration_s: '0',
      packets_per_s: '0',
      down_up_packet_ratio: '0',
      fwd_init_window_bytes: '502',
      bwd_init_window_bytes: '-1',
      bwd_first_ttl: '-1',
      active_periods: '1',
      active_max_s: '0',
    });
  });

  it.each([
    [4, 'REJ', 'Sr', 'rst'],
    [5, 'RSTO', 'ShR', 'rst'],
    [6, 'RSTOS0', 'SR', 'rst'],
    [7, 'SH', 'SF', 'end-of-input'],
    [8, 'SF', 'Dd', 'end-of-input'],
    [9, 'S0', 'D', 'end-of-input'],
    [10, 'OTH', '', 'end-of-input'],
  ])('scenario %i ends as Zeek says: conn_state %s, history %s', (i, connState, history, endReason) => {
    expect(pick(only(scenarios()[i].frames), 'conn_state', 'history', 'end_reason')).toEqual({ conn_state: connState, history, end_reason: endReason });
  });

  it('an ICMP echo exchange is one flow keyed by its identifier', () => {
    expect(pick(only(scenarios()[10].frames), 'protocol', 'ip_proto', 'src_port', 'dst_port', 'icmp_type', 'icmp_code', 'fwd_packets', 'bwd_packets', 'fwd_payload_bytes')).toEqual({
      protocol: 'icmp',
      ip_proto: '1',
      src_port: '7',
      dst_port: '7',
      icmp_type: '8',
      icmp_code: '0',
      fwd_packets: '3',
      bwd_packets: '3',
      fwd_payload_bytes: '168',
    });
  });

  it('an IPv6 flow prints RFC 5952 addresses and ends on the server RST', () => {
    expect(pick(only(scenarios()[11].frames), 'src_addr', 'dst_addr', 'ip_version', 'dst_port', 'conn_state', 'end_reason', 'fwd_header_bytes')).toEqual({
      src_addr: '2001:db8::c',
      dst_addr: '2001:db8::5',
      ip_version: '6',
      dst_port: '443',
      conn_state: 'RSTR',
      end_reason: 'rst',
      fwd_header_bytes: '180', // 3 x (40 IPv6 + 20 TCP)
    });
  });

  it('a VLAN-tagged flow carries its VLAN id', () => {
    const frame = (t: number, sport: number, dport: number, src: string, dst: string) => ({
      t,
      frame: P.ethernet({ type: P.ETH_VLAN }, P.vlan({ id: 42, type: P.ETH_IPV4 }, P.ipv4({ src, dst, proto: P.PROTO_UDP }, P.udp({ sport, dport }, [1, 2, 3, 4])))),
    });
    const row = only([frame(1, 1234, 53, '10.1.1.1', '10.1.1.2'), frame(1.5, 53, 1234, '10.1.1.2', '10.1.1.1')]);
    expect(pick(row, 'vlan_id', 'fwd_packets', 'bwd_packets')).toEqual({ vlan_id: '42', fwd_packets: '1', bwd_packets: '1' });
  });

  it('match the golden file for all scenarios in one capture (UPDATE_GOLDEN=1 rewrites it after review)', () => {
    const frames = byTime(...scenarios().map((s) => s.frames));
    const { csv } = extractFlows(frames);
    const path = new URL('./golden/flows.csv', import.meta.url);
    if (process.env.UPDATE_GOLDEN) writeFileSync(path, csv);
    expect(csv).toBe(readFileSync(path, 'utf8'));
  });
});

describe('statistics', () => {
  it('agree with a naive two-pass computation over a flow of random sizes and gaps', () => {
    const rng = new SeededRandom(5);
    let t = 100;
    const frames: TimedFrame[] = [];
    for (let i = 0; i < 500; i++) {
      t += rng.int(1, 2_000_000) / 1e6;
      frames.push(udp(CLIENT, SERVER, 7000, 7001, rng.int(0, 1400), t));
    }
    const row = only(frames);
    const sizes = frames.map((f) => f.frame.length);
    const gaps = frames.slice(1).map((f, i) => Math.round(f.t * 1e6) / 1e6 - Math.round(frames[i].t * 1e6) / 1e6);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
    expect(Number(row.fwd_pkt_bytes_wire_mean)).toBeCloseTo(mean(sizes), 5);
    expect(Number(row.fwd_pkt_bytes_wire_std)).toBeCloseTo(std(sizes), 5);
    expect(Number(row.fwd_pkt_bytes_wire_min)).toBe(Math.min(...sizes));
    expect(Number(row.fwd_pkt_bytes_wire_max)).toBe(Math.max(...sizes));
    expect(Number(row.fwd_iat_mean_s)).toBeCloseTo(mean(gaps), 8);
    expect(Number(row.fwd_iat_std_s)).toBeCloseTo(std(gaps), 8);
    expect(Number(row.fwd_iat_min_s)).toBeCloseTo(Math.min(...gaps), 9);
    expect(Number(row.fwd_iat_max_s)).toBeCloseTo(Math.max(...gaps), 9);
    expect(Number(row.fwd_bytes_wire)).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('measure active and idle periods as durations split by gaps over 5 s', () => {
    // bursts: 0..2 s, 10..10.5 s, 30 s alone; idle gaps 8 s and 19.5 s
    const times = [0, 1, 2, 10, 10.5, 30].map((x) => 500 + x);
    const row = only(times.map((t) => udp(CLIENT, SERVER, 7000, 7001, 10, t)));
    expect(pick(row, 'active_periods', 'active_min_s', 'active_max_s', 'active_mean_s', 'idle_min_s', 'idle_max_s', 'idle_mean_s', 'idle_std_s')).toEqual({
      active_periods: '3',
      active_min_s: '0',
      active_max_s: '2',
      active_mean_s: '0.833333333',
      idle_min_s: '8',
      idle_max_s: '19.5',
      idle_mean_s: '13.75',
      idle_std_s: '8.131727984',
    });
  });
});

describe('features.csv contract', () => {
  const office = (): TimedFrame[] => [...officeFrames({ seed: 4, rounds: 6, clients: 4, floodSynsPerRound: 200 })];

  it('has the schema header, a full row per flow, no empty cell, and a finite number in every numeric column', () => {
    const frames = office();
    const { csv, header, rows, extraction, writer } = extractFlows(frames);
    expect(csv.slice(0, csv.indexOf('\n'))).toBe(FLOW_CSV_HEADER);
    expect(header).toEqual(FLOW_COLUMNS.map((c) => c.name));
    expect(rows.length).toBeGreaterThan(100);
    const lines = csv.trimEnd().split('\n').slice(1);
    for (const line of lines) expect(line.split(',')).toHaveLength(FLOW_COLUMNS.length);
    for (const row of rows) {
      for (const c of FLOW_COLUMNS) {
        const v = row[c.name];
        if (c.name === 'history') continue; // may be empty: nothing worth a letter happened (ICMP)
        expect(v, `${c.name} of flow ${row.flow_id}`).not.toBe('');
        if (c.type === 'int') expect(Number.isInteger(Number(v)), `${c.name}=${v}`).toBe(true);
        if (c.type === 'float') expect(Number.isFinite(Number(v)), `${c.name}=${v}`).toBe(true);
      }
    }
    expect(writer.nonFiniteCells).toBe(0);
    // every IP packet is in exactly one flow
    const inFlows = rows.reduce((n, r) => n + Number(r.fwd_packets) + Number(r.bwd_packets), 0);
    expect(inFlows).toBe(extraction.table.ipPackets);
    expect(extraction.table.ipPackets + extraction.table.nonIpPackets).toBe(frames.length);
  });

  it('does not depend on how the input is split into batches', () => {
    const frames = office();
    const reference = extractFlows(frames, { batchSize: 10_000 }).csv;
    for (const size of [1, 7, 333]) expect(extractFlows(frames, { batchSize: size }).csv).toBe(reference);
  });

  it('writes the same rows whatever the table size, as long as nothing is evicted', () => {
    const frames = office();
    const big = extractFlows(frames, { maxFlows: 100_000 });
    const small = extractFlows(frames, { maxFlows: big.extraction.table.peakSize });
    expect(small.extraction.table.endedBy[5]).toBe(0);
    expect(small.csv).toBe(big.csv);
  });

  it('has unique column names and marks addresses, ports, times and the flow id as identifiers', () => {
    expect(new Set(FLOW_COLUMNS.map((c) => c.name)).size).toBe(FLOW_COLUMNS.length);
    const ids = FLOW_COLUMNS.filter((c) => c.identifier).map((c) => c.name);
    expect(ids).toEqual(['flow_id', 'start_time_s', 'end_time_s', 'src_addr', 'dst_addr', 'src_port', 'dst_port', 'vlan_id']);
  });
});
