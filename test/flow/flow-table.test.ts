// How flows begin and end: TCP termination (never on the first FIN), RST, idle and active timeouts measured
// the right way, eviction when full, the client side, time going backwards, and an index that stays
// consistent under churn.
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { PacketMeta } from '../../src/decode/packet-meta.js';
import { EndReason, FlowTable, type FlowObserver } from '../../src/flow/flow-table.js';
import { arpFrame, ipv4, mac, tcpFrame } from '../../src/synth/frame-builder.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';
import { ACK, byTime, CLIENT, extractFlows, FIN, PSH, RST, SERVER, SYN, TcpTalk, udp, type TimedFrame } from './flow-harness.js';

/** handshake, one request, one response */
function opened(talk = new TcpTalk(CLIENT, SERVER)): TcpTalk {
  return talk.c(10, SYN).s(10.001, SYN | ACK).c(10.002, ACK).c(10.003, PSH | ACK, 200).s(10.01, PSH | ACK, 1000).c(10.011, ACK);
}

const pick = (row: Record<string, string>, ...names: string[]) => Object.fromEntries(names.map((n) => [n, row[n]]));

describe('TCP termination', () => {
  it('ends a flow at the final ACK after FIN from both sides (client closes first), with no bogus second flow', () => {
    const talk = opened().c(11, FIN | ACK).s(11.001, FIN | ACK).c(11.002, ACK);
    const { rows, extraction } = extractFlows(talk.frames);
    expect(rows.map((r) => pick(r, 'end_reason', 'fwd_packets', 'bwd_packets', 'conn_state'))).toEqual([
      { end_reason: 'fin', fwd_packets: '6', bwd_packets: '3', conn_state: 'SF' },
    ]);
    expect(extraction.table.endedBy[EndReason.fin]).toBe(1);
  });

  it('ends a flow closed by the server first the same way', () => {
    const talk = opened().s(11, FIN | ACK).c(11.001, FIN | ACK).s(11.002, ACK);
    const { rows } = extractFlows(talk.frames);
    expect(rows.map((r) => pick(r, 'end_reason', 'fwd_packets', 'bwd_packets', 'conn_state', 'history'))).toEqual([
      { end_reason: 'fin', fwd_packets: '5', bwd_packets: '4', conn_state: 'SF', history: 'ShADdfFa' },
    ]);
  });

  it('does not end a flow on the first FIN: the peer keeps sending data into the same flow', () => {
    const talk = opened().c(11, FIN | ACK).s(11.001, PSH | ACK, 500).c(11.002, ACK).s(12, FIN | ACK).c(12.001, ACK);
    const { rows } = extractFlows(talk.frames);
    expect(rows).toHaveLength(1);
    expect(pick(rows[0], 'end_reason', 'bwd_payload_bytes', 'fwd_packets', 'bwd_packets')).toEqual({ end_reason: 'fin', bwd_payload_bytes: '1500', fwd_packets: '7', bwd_packets: '4' });
  });

  it('ends a simultaneous close only when both FINs are acknowledged', () => {
    const a = { src: CLIENT.ip, dst: SERVER.ip, ttl: 64 };
    const b = { src: SERVER.ip, dst: CLIENT.ip, ttl: 64 };
    const seg = (from: 'a' | 'b', t: number, flags: number, seq: number, ack: number): TimedFrame => ({
      t,
      frame: tcpFrame(CLIENT.mac, SERVER.mac, from === 'a' ? a : b, { srcPort: from === 'a' ? 40000 : 80, dstPort: from === 'a' ? 80 : 40000, seq, ack, flags, window: 100, payloadLen: 0 }),
    });
    const frames = [
      seg('a', 1, SYN, 100, 0),
      seg('b', 1.1, SYN | ACK, 900, 101),
      seg('a', 1.2, ACK, 101, 901),
      seg('a', 2, FIN | ACK, 101, 901), // both FINs cross on the wire: neither acknowledges the other
      seg('b', 2, FIN | ACK, 901, 101),
      seg('a', 2.1, ACK, 102, 902),
      seg('b', 2.1, ACK, 902, 102),
    ];
    const { rows } = extractFlows(frames);
    expect(rows.map((r) => pick(r, 'end_reason', 'fwd_packets', 'bwd_packets'))).toEqual([{ end_reason: 'fin', fwd_packets: '4', bwd_packets: '3' }]);
  });

  it('ends a flow at once on RST, from either side', () => {
    const fromClient = extractFlows(opened().c(11, RST | ACK).frames).rows;
    const fromServer = extractFlows(opened().s(11, RST | ACK).frames).rows;
    expect(fromClient.map((r) => pick(r, 'end_reason', 'conn_state'))).toEqual([{ end_reason: 'rst', conn_state: 'RSTO' }]);
    expect(fromServer.map((r) => pick(r, 'end_reason', 'conn_state'))).toEqual([{ end_reason: 'rst', conn_state: 'RSTR' }]);
  });

  it('keeps a flow whose last ACK never came until the idle timeout, still as fin', () => {
    const talk = opened().c(11, FIN | ACK).s(11.001, FIN | ACK);
    const later = udp(CLIENT, SERVER, 5000, 53, 20, 200);
    const { rows } = extractFlows(byTime(talk.frames, later));
    expect(rows.map((r) => pick(r, 'protocol', 'end_reason'))).toEqual([
      { protocol: 'tcp', end_reason: 'fin' },
      { protocol: 'udp', end_reason: 'end-of-input' },
    ]);
  });

  it('starts a new record when a SYN reuses the ports of a connection that sent FIN both ways', () => {
    const talk = opened().c(11, FIN | ACK).s(11.001, FIN | ACK);
    const again = opened(new TcpTalk(CLIENT, SERVER));
    const frames = [...talk.frames, ...again.frames.map((f) => ({ ...f, t: f.t + 5 }))];
    const { rows } = extractFlows(frames);
    expect(rows.map((r) => pick(r, 'flow_id', 'end_reason', 'fwd_syn_count'))).toEqual([
      { flow_id: '1', end_reason: 'fin', fwd_syn_count: '1' },
      { flow_id: '2', end_reason: 'end-of-input', fwd_syn_count: '1' },
    ]);
  });
});

describe('timeouts', () => {
  it('ends a flow after a gap longer than the idle timeout, measured from its last packet', () => {
    const frames = [0, 50, 100, 150, 271, 280].map((t) => udp(CLIENT, SERVER, 5353, 53, 10, 1000 + t));
    const { rows } = extractFlows(frames, { idleTimeoutS: 120 });
    expect(rows.map((r) => pick(r, 'end_reason', 'fwd_packets', 'duration_s'))).toEqual([
      { end_reason: 'idle', fwd_packets: '4', duration_s: '150' },
      { end_reason: 'end-of-input', fwd_packets: '2', duration_s: '9' },
    ]);
  });

  it('does not expire a flow whose gap equals the idle timeout exactly', () => {
    const frames = [0, 120].map((t) => udp(CLIENT, SERVER, 5353, 53, 10, 1000 + t));
    expect(extractFlows(frames, { idleTimeoutS: 120 }).rows).toHaveLength(1);
  });

  it('splits a long flow at the active timeout and keeps the client side in the continuation', () => {
    const talk = new TcpTalk(CLIENT, SERVER).c(0, SYN).s(0.01, SYN | ACK).c(0.02, ACK);
    for (let t = 10; t <= 95; t += 10) talk.s(t, PSH | ACK, 100).c(t + 0.01, ACK);
    const { rows } = extractFlows(talk.frames, { activeTimeoutS: 30 });
    expect(rows.map((r) => pick(r, 'flow_id', 'end_reason', 'src_port', 'client_from', 'duration_s', 'fwd_packets', 'bwd_packets'))).toEqual([
      { flow_id: '1', end_reason: 'active', src_port: '40000', client_from: 'syn', duration_s: '20.01', fwd_packets: '4', bwd_packets: '3' },
      { flow_id: '2', end_reason: 'active', src_port: '40000', client_from: 'syn', duration_s: '20.01', fwd_packets: '3', bwd_packets: '3' },
      { flow_id: '3', end_reason: 'active', src_port: '40000', client_from: 'syn', duration_s: '20.01', fwd_packets: '3', bwd_packets: '3' },
      { flow_id: '4', end_reason: 'end-of-input', src_port: '40000', client_from: 'syn', duration_s: '0.01', fwd_packets: '1', bwd_packets: '1' },
    ]);
    // the continuation is still an established connection, not a midstream one
    expect(rows.map((r) => r.conn_state)).toEqual(['S1', 'S1', 'S1', 'S1']);
  });
});

describe('bounded table', () => {
  it('evicts the least recently seen flow when full and counts it', () => {
    const frames = [
      udp(CLIENT, SERVER, 1001, 53, 10, 1),
      udp(CLIENT, SERVER, 1002, 53, 10, 2),
      udp(CLIENT, SERVER, 1001, 53, 10, 3), // 1001 is now more recent than 1002
      udp(CLIENT, SERVER, 1003, 53, 10, 4),
    ];
    const { rows, extraction } = extractFlows(frames, { maxFlows: 2 });
    expect(rows.map((r) => pick(r, 'src_port', 'end_reason', 'fwd_packets'))).toEqual([
      { src_port: '1002', end_reason: 'evicted', fwd_packets: '1' },
      { src_port: '1001', end_reason: 'end-of-input', fwd_packets: '2' },
      { src_port: '1003', end_reason: 'end-of-input', fwd_packets: '1' },
    ]);
    expect(extraction.table.endedBy[EndReason.evicted]).toBe(1);
    expect(extraction.table.peakSize).toBe(2);
  });
});

describe('client side', () => {
  it('is the receiver of a SYN-ACK seen before any SYN (history starts with ^)', () => {
    const talk = new TcpTalk(CLIENT, SERVER).c(1, SYN);
    const frames = talk.s(1.1, SYN | ACK).c(1.2, ACK).frames.slice(1);
    const { rows } = extractFlows(frames);
    expect(pick(rows[0], 'src_addr', 'src_port', 'client_from', 'history', 'fwd_packets', 'bwd_packets')).toEqual({
      src_addr: '192.168.1.10',
      src_port: '40000',
      client_from: 'syn-ack',
      history: '^hA',
      fwd_packets: '1',
      bwd_packets: '1',
    });
  });

  it('moves to the SYN sender when a SYN comes after midstream packets', () => {
    const talk = new TcpTalk(CLIENT, SERVER);
    const frames = [...talk.s(1, PSH | ACK, 100).frames, ...talk.c(2, SYN).frames.slice(1)];
    const { rows } = extractFlows(frames);
    expect(pick(rows[0], 'src_addr', 'client_from', 'fwd_packets', 'bwd_packets', 'fwd_syn_count', 'bwd_payload_bytes')).toEqual({
      src_addr: '192.168.1.10',
      client_from: 'syn',
      fwd_packets: '1',
      bwd_packets: '1',
      fwd_syn_count: '1',
      bwd_payload_bytes: '100',
    });
  });

  it('is the first packet sender without any SYN (UDP)', () => {
    const { rows } = extractFlows([udp(SERVER, CLIENT, 53, 5353, 40, 1), udp(CLIENT, SERVER, 5353, 53, 20, 2)]);
    expect(pick(rows[0], 'src_addr', 'src_port', 'dst_port', 'client_from')).toEqual({ src_addr: '10.0.0.5', src_port: '53', dst_port: '5353', client_from: 'first-packet' });
  });
});

describe('robustness', () => {
  it('counts packets whose time goes backwards and never writes a negative duration or IAT', () => {
    const frames = [5, 3, 8, 1, 9].map((t) => udp(CLIENT, SERVER, 5353, 53, 10, 1000 + t));
    const { rows, extraction } = extractFlows(frames); // not sorted: the capture is out of order
    expect(extraction.table.timeBackwardsPackets).toBe(2);
    expect(pick(rows[0], 'fwd_packets', 'duration_s', 'fwd_iat_min_s', 'fwd_iat_max_s', 'start_time_s', 'end_time_s')).toEqual({
      fwd_packets: '5',
      duration_s: '4',
      fwd_iat_min_s: '0',
      fwd_iat_max_s: '3',
      start_time_s: '1005.000000000',
      end_time_s: '1009.000000000',
    });
  });

  it('counts every IP packet in exactly one flow and non-IP packets apart', () => {
    const arp = { t: 1.5, frame: arpFrame(mac('02:00:00:00:00:01'), mac('ff:ff:ff:ff:ff:ff'), 1, ipv4('10.0.0.1'), [0, 0, 0, 0, 0, 0], ipv4('10.0.0.2')) };
    const frames = byTime(opened().frames, arp, udp(CLIENT, SERVER, 1, 2, 3, 4));
    const { rows, extraction } = extractFlows(frames);
    const inFlows = rows.reduce((n, r) => n + Number(r.fwd_packets) + Number(r.bwd_packets), 0);
    expect(extraction.table.ipPackets).toBe(frames.length - 1);
    expect(extraction.table.nonIpPackets).toBe(1);
    expect(inFlows).toBe(extraction.table.ipPackets);
  });
});

describe('index under churn', () => {
  class Counter implements FlowObserver {
    opens = 0;
    closes = 0;
    open(): void {
      this.opens++;
    }
    update(): void {}
    close(): void {
      this.closes++;
    }
  }

  it('finds every live flow after many deletions from the middle of probe clusters', () => {
    const rng = new SeededRandom(9);
    const table = new FlowTable({ idleTimeoutS: 1e6, activeTimeoutS: 1e6, maxFlows: 64 });
    const counter = new Counter();
    table.attach(counter);
    const meta = new PacketMeta();
    const send = (port: number, flags: number, t: number) => {
      const frame = tcpFrame(CLIENT.mac, SERVER.mac, { src: CLIENT.ip, dst: SERVER.ip, ttl: 64 }, { srcPort: port, dstPort: 80, seq: 1, ack: 1, flags, window: 1, payloadLen: 0 });
      decodeFrame(frame, 0, frame.length, 1, meta);
      table.process(meta, 1000 + t, 0, frame.length);
    };
    let t = 0;
    for (let round = 0; round < 50; round++) {
      const live = new Set<number>();
      while (live.size < 60) live.add(rng.int(1, 65535));
      const ports = [...live];
      for (const p of ports) send(p, ACK, t++);
      const ended = ports.filter(() => rng.next() < 0.5);
      for (const p of ended) send(p, RST, t++);
      const opensBefore = counter.opens;
      for (const p of ports) if (!ended.includes(p)) send(p, ACK, t++);
      expect(counter.opens).toBe(opensBefore); // every surviving flow was found
      table.flush();
      expect(table.size).toBe(0);
    }
    expect(counter.closes).toBe(counter.opens);
  });
});
