// --level packet: one row per IP packet with its flow's view (direction, position, age, flow_id) and its
// source's 1 s / 10 s windows, on captures built with the project's frame builder.
import { describe, expect, it } from 'vitest';
import { officeFrames } from '../helpers/synthetic-capture.js';
import { FlowExtraction, PacketExtraction } from '../../src/io/flow-extraction.js';
import { parseAddressPattern } from '../../src/features/flow-labels.js';
import { PACKET_FEATURE_COLUMNS, PACKET_FEATURES_CSV_HEADER } from '../../src/schema/packet-feature-columns.js';
import { arpFrame, ipv4 } from '../../src/synth/frame-builder.js';
import { ACK, CLIENT, CLIENT6, FIN, ping, PSH, runExtraction, SERVER, SERVER6, SYN, TcpTalk, udp, type TimedFrame } from '../flow/flow-harness.js';

const T0 = 1_700_000_000;

const office = (seed: number, rounds: number): Generator<TimedFrame> => officeFrames({ seed, startEpochS: T0, rounds, clients: 4, floodSynsPerRound: 300 });

describe('--level packet', () => {
  it('writes one row per IP packet with the features of the packet, its flow and its source (golden handshake)', () => {
    const talk = new TcpTalk(CLIENT, SERVER)
      .c(T0 + 1, SYN)
      .s(T0 + 1.001, SYN | ACK)
      .c(T0 + 1.002, ACK)
      .c(T0 + 1.5, PSH | ACK, 100)
      .s(T0 + 1.6, PSH | ACK, 1000)
      .c(T0 + 2.7, FIN | ACK)
      .s(T0 + 2.8, FIN | ACK)
      .c(T0 + 2.9, ACK);
    const arp = { t: T0 + 1.0005, frame: arpFrame(CLIENT.mac, [255, 255, 255, 255, 255, 255], 1, CLIENT.ip, [0, 0, 0, 0, 0, 0], SERVER.ip) };
    const frames = [...talk.frames, arp].sort((a, b) => a.t - b.t);
    const extraction = new PacketExtraction();
    const { header, rows } = runExtraction(extraction, frames);
    expect(header.join(',')).toBe(PACKET_FEATURES_CSV_HEADER);
    expect(rows).toHaveLength(8);
    expect(extraction.counts).toMatchObject({ ipPackets: 8, nonIpPackets: 1, rowsWritten: 8 });
    const pick = (keys: string[]) => rows.map((r) => keys.map((k) => r[k]).join(' '));
    expect(pick(['packet_number', 'src_addr', 'dst_port', 'tcp_flags', 'tcp_syn', 'tcp_ack', 'tcp_fin', 'from_client', 'flow_packet_index', 'flow_id'])).toEqual([
      '1 192.168.1.10 80 2 1 0 0 1 1 1',
      '3 10.0.0.5 40000 18 1 1 0 0 2 1',
      '4 192.168.1.10 80 16 0 1 0 1 3 1',
      '5 192.168.1.10 80 24 0 1 0 1 4 1',
      '6 10.0.0.5 40000 24 0 1 0 0 5 1',
      '7 192.168.1.10 80 17 0 1 1 1 6 1',
      '8 10.0.0.5 40000 17 0 1 1 0 7 1',
      '9 192.168.1.10 80 16 0 1 0 1 8 1',
    ]);
    expect(rows[0]).toMatchObject({ time_s: `${T0 + 1}.000000000`, iat_s: '0', src_iat_s: '0', flow_iat_s: '0', flow_age_s: '0', protocol: 'tcp', ip_version: '4', ttl: '64', icmp_type: '-1', src_packets_1s: '1' });
    expect(rows[3]).toMatchObject({ payload_bytes: '100', iat_s: '0.498', src_iat_s: '0.498', flow_iat_s: '0.498', flow_age_s: '0.5', src_packets_1s: '3', src_packets_10s: '3' });
    // 1.5 s -> 2.7 s: the client's packets at 1.0 and 1.002 left its 1 s window, the one at 1.5 too
    expect(rows[5]).toMatchObject({ src_packets_1s: '1', src_packets_10s: '4', src_iat_s: '1.2' });
    expect(Number(rows[3].wire_len_bytes)).toBe(Number(rows[3].ip_len_bytes) + 14);
  });

  it('gives packets the flow_id of their flow at --level flow, so the tables join', () => {
    const frames = [...office(2, 4)];
    const packets = runExtraction(new PacketExtraction(), frames).rows;
    const flows = runExtraction(new FlowExtraction(), frames).rows;
    const perFlow = new Map<string, number>();
    for (const p of packets) perFlow.set(p.flow_id, (perFlow.get(p.flow_id) ?? 0) + 1);
    expect(perFlow.size).toBe(flows.length);
    for (const f of flows) expect(perFlow.get(f.flow_id), f.flow_id).toBe(Number(f.fwd_packets) + Number(f.bwd_packets));
    const clientPackets = packets.filter((p) => p.from_client === '1').length;
    expect(clientPackets).toBe(flows.reduce((n, f) => n + Number(f.fwd_packets), 0));
  });

  it('fills every cell: header == schema, no empty or NaN number, rows == IP packets (office traffic, IPv6, ICMP, UDP)', () => {
    const frames = [...office(6, 6), ping(CLIENT6, SERVER6, false, 3, 1, T0 + 2.5), udp(CLIENT6, SERVER6, 5353, 53, 30, T0 + 2.6)].sort((a, b) => a.t - b.t);
    const extraction = new PacketExtraction();
    const { header, rows, writer } = runExtraction(extraction, frames);
    expect(header).toEqual(PACKET_FEATURE_COLUMNS.map((c) => c.name));
    expect(rows).toHaveLength(extraction.counts.ipPackets);
    expect(extraction.counts.ipPackets + extraction.counts.nonIpPackets).toBe(frames.length);
    for (const r of rows) {
      for (const c of PACKET_FEATURE_COLUMNS) {
        expect(r[c.name], c.name).not.toBe('');
        if (c.type === 'int' || c.type === 'float') expect(Number.isFinite(Number(r[c.name])), `${c.name}=${r[c.name]}`).toBe(true);
      }
      expect(Number(r.src_packets_10s)).toBeGreaterThanOrEqual(Number(r.src_packets_1s));
      expect(Number(r.src_packets_1s)).toBeGreaterThanOrEqual(1);
    }
    expect(writer.nonFiniteCells).toBe(0);
    const numbers = rows.map((r) => Number(r.packet_number));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(rows.some((r) => r.ip_version === '6' && r.protocol === 'icmpv6' && r.icmp_type === '128' && r.src_port === '-1')).toBe(true);
  });

  it('counts a flood building up in the source windows, exactly at slot resolution', () => {
    // one packet every 10 ms for 3 s from one source
    const frames = Array.from({ length: 300 }, (_, i) => udp(CLIENT, SERVER, 5000, 9, 18, T0 + 0.01 * i));
    const { rows } = runExtraction(new PacketExtraction(), frames);
    const last = rows.at(-1)!;
    // at 2.99 s: the 100 ms slots 2.0..2.9 hold 100 packets; the 1 s slots 0, 1, 2 hold all 300
    expect(last).toMatchObject({ src_packets_1s: '100', src_packets_10s: '300', src_bytes_1s: String(100 * 60) });
    expect(rows.every((r) => Number(r.src_packets_1s) <= 100)).toBe(true);
  });

  it('bounds the source table (--max-hosts) and counts evictions of sources that were still active', () => {
    const hosts = [1, 2, 3].map((i) => ({ mac: CLIENT.mac, ip: ipv4(`192.168.1.${i}`) }));
    const frames = Array.from({ length: 30 }, (_, k) => udp(hosts[k % 3], SERVER, 5000, 53, 40, T0 + 0.01 * k));
    const extraction = new PacketExtraction({ maxSources: 2 });
    const { rows } = runExtraction(extraction, frames);
    expect(extraction.features.sources.peakSize).toBe(2);
    expect(extraction.features.sourcesEvicted).toBeGreaterThan(0);
    expect(rows.every((r) => r.src_packets_1s === '1')).toBe(true);
  });

  it('labels packets by their flow (client/server as at --level flow) at the packet time', () => {
    const talk = new TcpTalk(CLIENT, SERVER).c(T0 + 1, SYN).s(T0 + 1.001, SYN | ACK).c(T0 + 5, ACK);
    const rules = [{ label: 'web', src: parseAddressPattern('192.168.1.10'), dstPort: 80, endEpochS: T0 + 2 }];
    const extraction = new PacketExtraction({ rules });
    const { header, rows } = runExtraction(extraction, talk.frames);
    expect(header.at(-1)).toBe('label');
    // the server's SYN-ACK belongs to the client's flow: labelled too; the ACK at 5 s is after the window
    expect(rows.map((r) => r.label)).toEqual(['web', 'web', 'normal']);
    expect(extraction.labelCounts()).toEqual({ web: 2, normal: 1 });
  });
});
