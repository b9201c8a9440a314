// The flow table's events through the shared ring (what extract's flow feature thread replays): the groups fed
// from the replayed events write exactly the rows they write beside the table, whatever ends the flows, and
// every packet field the groups read crosses the ring unchanged, including -1 (absent) and values above 2^31.
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { PacketMeta } from '../../src/decode/packet-meta.js';
import { FlowFeatureSet } from '../../src/features/flow-feature-set.js';
import { chooseFlowGroups } from '../../src/features/flow-group-choice.js';
import { parseAddressPattern } from '../../src/features/flow-labels.js';
import { createFlowEventRing, FlowEventConsumer, FlowEventProducer } from '../../src/flow/flow-event-stream.js';
import { FlowTable, type EndReason, type FlowObserver } from '../../src/flow/flow-table.js';
import { FlowCsvWriter } from '../../src/io/flow-csv-writer.js';
import { FlowExtraction, type FlowExtractionOptions } from '../../src/io/flow-extraction.js';
import { officeFrames } from '../helpers/synthetic-capture.js';
import { ACK, batchesOf, byTime, CLIENT, CLIENT6, extractFlows, FIN, MemorySink, ping, PSH, RST, runExtraction, SERVER, SERVER6, SYN, TcpTalk, udp, type TimedFrame } from './flow-harness.js';

/** The rows when the table sends its events through a ring and the groups replay them (both on this thread). */
function throughEventRing(frames: readonly TimedFrame[], options: FlowExtractionOptions): string {
  const extraction = new FlowExtraction({ maxFlows: 1000, ...options });
  const ring = createFlowEventRing(4096);
  const producer = new FlowEventProducer(ring, extraction.table);
  extraction.table.attach(producer);
  const consumer = new FlowEventConsumer(ring, extraction.table.capacity);
  const { groupsFor, textBytes } = chooseFlowGroups(options);
  const features = new FlowFeatureSet(groupsFor(consumer.slots), textBytes);
  const sink = new MemorySink();
  features.attach(new FlowCsvWriter(sink, features.columns.map((c) => c.name), features.formats, features.layout.textBytes));
  const replay = () => {
    producer.publish();
    expect(consumer.replayAvailable(features)).toBe('empty');
  };
  for (const batch of batchesOf(frames, 16)) {
    extraction.addBatch(batch);
    replay();
  }
  while (!extraction.flush(100)) replay();
  producer.finish();
  expect(consumer.replayAvailable(features)).toBe('done');
  return sink.text();
}

function tcpEdgeCases(): TimedFrame[] {
  const talk = (port: number) => new TcpTalk(CLIENT, SERVER, port, 80);
  return byTime(
    // both FINs, the last ACK missing, then a new SYN on the same ports: the old record ends as fin
    talk(41000).c(1, SYN).s(1.001, SYN | ACK).c(1.002, ACK).c(1.1, FIN | ACK).s(1.2, FIN | ACK).c(1.5, SYN).s(1.501, SYN | ACK).frames,
    // a SYN-ACK before any SYN: the client is its receiver
    talk(41001).s(2, SYN | ACK).c(2.001, ACK).c(2.002, PSH | ACK, 40).frames,
    talk(41002).c(3, SYN).s(3.001, RST | ACK).frames,
    // long enough for the active timeout below: continued records
    talk(41003).c(4, SYN).s(4.001, SYN | ACK).c(4.002, ACK).c(6, PSH | ACK, 500).s(8, PSH | ACK, 1400).c(10, PSH | ACK, 20).frames,
    new TcpTalk(CLIENT6, SERVER6, 41004, 443).c(5, SYN).s(5.001, SYN | ACK).c(5.002, PSH | ACK, 100).s(5.1, RST).frames,
    [1, 2, 3].flatMap((s) => [ping(CLIENT, SERVER, false, 9, s, 5 + s), ping(SERVER, CLIENT, true, 9, s, 5.0004 + s)]),
    [udp(CLIENT, SERVER, 50000, 53, 33, 6), udp(SERVER, CLIENT, 53, 50000, 49, 6.002), udp(CLIENT, SERVER, 50001, 53, 33, 30)],
  );
}

describe('flow events replayed on another thread', () => {
  const office = [...officeFrames({ seed: 5, rounds: 6 })];

  it('make the same rows as the groups beside the table, for office traffic with a scan and a flood', () => {
    expect(office.length).toBeGreaterThan(1000);
    expect(throughEventRing(office, {})).toBe(extractFlows(office).csv);
  });

  it('make the same rows when flows are evicted, expire idle and end by the active timeout', () => {
    const options = { maxFlows: 20, idleTimeoutS: 0.5, activeTimeoutS: 1 };
    const { csv, extraction } = extractFlows(office, options);
    // the options did what they are here for
    const ended = extraction.flowsByEndReason();
    expect(ended.evicted).toBeGreaterThan(0);
    expect(ended.idle).toBeGreaterThan(0);
    expect(throughEventRing(office, options)).toBe(csv);
    const edge = tcpEdgeCases();
    const small = extractFlows(edge, { activeTimeoutS: 3 });
    expect(small.extraction.flowsByEndReason().active).toBeGreaterThan(0);
    expect(small.extraction.flowsByEndReason().fin).toBeGreaterThan(0);
    expect(throughEventRing(edge, { activeTimeoutS: 3 })).toBe(small.csv);
  });

  it('make the same rows in the CICFlowMeter column set with labels', () => {
    const rules = [{ label: 'attacker', src: parseAddressPattern(`${CLIENT.ip.join('.')}/32`) }];
    const frames = byTime(office, tcpEdgeCases());
    const options = { format: 'cic' as const, rules };
    // (CIC's header repeats a name, so the rows are compared as text)
    expect(throughEventRing(frames, options)).toBe(runExtraction(new FlowExtraction({ maxFlows: 1000, ...options }), frames).csv);
  });

  it('carry every packet field the groups read unchanged, absent (-1) and above 2^31 alike', () => {
    const table = new FlowTable({ idleTimeoutS: 120, activeTimeoutS: 1800, maxFlows: 8 });
    const ring = createFlowEventRing(64);
    const producer = new FlowEventProducer(ring, table);
    table.attach(producer);
    const sent: unknown[] = [];
    const received: unknown[] = [];
    const names = ['ipVersion', 'ipProto', 'ttl', 'ipLen', 'tcpFlags', 'tcpSeq', 'tcpWindow', 'tcpOptionsLen', 'payloadLen', 'icmpType', 'icmpCode'] as const;
    const fields = (meta: PacketMeta, wireLen: number) => ({ ...Object.fromEntries(names.map((k) => [k, meta[k]])), wireLen });
    const times: number[] = [];
    const feed = (frame: TimedFrame, change: (meta: PacketMeta) => void, wireLen: number) => {
      const meta = new PacketMeta();
      decodeFrame(frame.frame, 0, frame.frame.length, 1, meta);
      change(meta);
      table.process(meta, frame.t, 0, wireLen);
      sent.push(fields(meta, wireLen));
    };
    const syn = new TcpTalk(CLIENT, SERVER, 42000, 80).c(1, SYN).frames[0];
    // a jumbogram's lengths, the highest sequence number, a corrupt capture's wire length
    feed(syn, (m) => Object.assign(m, { payloadLen: 3858694250, ipLen: 4294967295, tcpSeq: 0xffffffff }), 3_000_000_000);
    feed(udp(CLIENT, SERVER, 50000, 53, 10, 2), () => undefined, 52);
    feed(ping(CLIENT, SERVER, false, 1, 1, 3), () => undefined, 42);
    producer.finish();
    const consumer = new FlowEventConsumer(ring, table.capacity);
    const recorder: FlowObserver = {
      open() {},
      update(_slot: number, _side: number, meta: PacketMeta, timeNs: number, wireLen: number) {
        received.push(fields(meta, wireLen));
        times.push(timeNs);
      },
      close(_slot: number, _reason: EndReason) {},
    };
    expect(consumer.replayAvailable(recorder)).toBe('done');
    expect(received).toEqual(sent);
    expect(received[0]).toMatchObject({ payloadLen: 3858694250, ipLen: 4294967295, tcpSeq: 0xffffffff, wireLen: 3_000_000_000 });
    expect(received[1]).toMatchObject({ tcpSeq: -1, tcpFlags: -1, icmpType: -1, ipProto: 17 });
    expect(received[2]).toMatchObject({ icmpType: 8, icmpCode: 0, tcpFlags: -1, ipProto: 1 });
    expect(times).toEqual([0, 1e9, 2e9]);
  });
});
