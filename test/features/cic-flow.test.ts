// --format cic: CIC-IDS2017's header byte for byte, CICFlowMeter's definitions (payload lengths, transport
// headers, microseconds, bulks, subflows, active/idle) on golden conversations, and its bugs left out.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { officeFrames } from '../helpers/synthetic-capture.js';
import { FlowExtraction } from '../../src/io/flow-extraction.js';
import { parseAddressPattern } from '../../src/features/flow-labels.js';
import { CIC_COLUMNS, CIC_IDS2017_HEADER } from '../../src/schema/cic-columns.js';
import { ACK, CLIENT, CLIENT6, FIN, ping, PSH, runExtraction, SERVER, SERVER6, SYN, TcpTalk, udp, type TimedFrame } from '../flow/flow-harness.js';

const T0 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

/** Rows as arrays: the header repeats ' Fwd Header Length', so objects keyed by name would lose a cell. */
function cic(frames: readonly TimedFrame[], options: ConstructorParameters<typeof FlowExtraction>[0] = {}) {
  const extraction = new FlowExtraction({ format: 'cic', ...options });
  const { csv, writer } = runExtraction(extraction, frames);
  const [header, ...rows] = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data;
  const names = CIC_COLUMNS.map((c) => c.name);
  const get = (row: string[], name: string) => row[names.indexOf(name)];
  return { csv, header, rows, get, extraction, writer };
}

describe('--format cic', () => {
  it('writes the public CIC-IDS2017 header byte for byte: 85 columns, leading spaces, Fwd Header Length twice', () => {
    const { csv } = cic([ping(CLIENT, SERVER, false, 1, 1, T0)]);
    expect(csv.slice(0, csv.indexOf('\n'))).toBe(CIC_IDS2017_HEADER);
    const names = CIC_IDS2017_HEADER.split(',');
    expect(names).toHaveLength(85);
    expect(names.filter((n) => n === ' Fwd Header Length')).toHaveLength(2);
    expect(names[0]).toBe('Flow ID');
    expect(names[1]).toBe(' Source IP');
    expect(names[84]).toBe(' Label');
  });

  it('fills a TCP conversation with CICFlowMeter definitions: payload lengths, transport headers, microseconds', () => {
    const talk = new TcpTalk(CLIENT, SERVER)
      .c(T0 + 1, SYN)
      .s(T0 + 1.001, SYN | ACK)
      .c(T0 + 1.002, ACK)
      .c(T0 + 1.01, PSH | ACK, 100)
      .s(T0 + 1.02, PSH | ACK, 1000)
      .c(T0 + 3, FIN | ACK) // a gap of 1.98 s: a second subflow
      .s(T0 + 3.001, FIN | ACK)
      .c(T0 + 3.002, ACK);
    const { rows, get } = cic(talk.frames);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    const expected: Record<string, string> = {
      'Flow ID': '192.168.1.10-10.0.0.5-40000-80-6',
      ' Source IP': '192.168.1.10',
      ' Source Port': '40000',
      ' Destination IP': '10.0.0.5',
      ' Destination Port': '80',
      ' Protocol': '6',
      ' Timestamp': '14/11/2023 10:13:21 PM',
      ' Flow Duration': '2002000',
      ' Total Fwd Packets': '5',
      ' Total Backward Packets': '3',
      'Total Length of Fwd Packets': '100',
      ' Total Length of Bwd Packets': '1000',
      ' Fwd Packet Length Max': '100',
      ' Fwd Packet Length Min': '0',
      ' Fwd Packet Length Mean': '20',
      'Bwd Packet Length Max': '1000',
      ' Flow IAT Max': '1980000',
      ' Flow IAT Min': '1000',
      'Fwd IAT Total': '2002000',
      'Fwd PSH Flags': '1',
      ' Bwd PSH Flags': '1',
      ' Bwd Header Length': '60',
      ' Min Packet Length': '0',
      ' Max Packet Length': '1000',
      ' Packet Length Mean': '137.5',
      'FIN Flag Count': '2',
      ' SYN Flag Count': '2',
      ' ACK Flag Count': '7',
      ' PSH Flag Count': '2',
      ' Down/Up Ratio': '0.6',
      ' Average Packet Size': '137.5',
      ' Avg Fwd Segment Size': '20',
      ' Avg Bwd Segment Size': String(1000 / 3).slice(0, 10),
      'Subflow Fwd Packets': '2.5',
      ' Subflow Bwd Bytes': '500',
      'Init_Win_bytes_forward': '502',
      ' Init_Win_bytes_backward': '509',
      ' act_data_pkt_fwd': '1',
      ' min_seg_size_forward': '20',
      ' Label': 'BENIGN',
    };
    for (const [name, value] of Object.entries(expected)) expect(get(r, name), name).toBe(value);
    // both Fwd Header Length columns: five 20-byte TCP headers
    expect(r.filter((_, i) => CIC_COLUMNS[i].name === ' Fwd Header Length')).toEqual(['100', '100']);
    expect(Number(get(r, ' Packet Length Variance'))).toBeCloseTo(Number(get(r, ' Packet Length Std')) ** 2, 3);
  });

  it('counts bulks per direction: 4 or more payload packets within 1 s with nothing from the other side', () => {
    const talk = new TcpTalk(CLIENT, SERVER).c(T0, SYN).s(T0 + 0.001, SYN | ACK).c(T0 + 0.002, ACK).c(T0 + 0.01, PSH | ACK, 50);
    for (let i = 0; i < 6; i++) talk.s(T0 + 0.1 + 0.1 * i, ACK, 1000);
    talk.c(T0 + 1, ACK);
    const { rows, get } = cic(talk.frames);
    const r = rows[0];
    expect(get(r, ' Bwd Avg Packets/Bulk')).toBe('6');
    expect(get(r, ' Bwd Avg Bytes/Bulk')).toBe('6000');
    // 6000 bytes over the 0.5 s from the bulk's first to last packet
    expect(get(r, 'Bwd Avg Bulk Rate')).toBe('12000');
    expect(get(r, 'Fwd Avg Bytes/Bulk')).toBe('0');
  });

  it('measures active and idle periods in microseconds, gaps above 5 s', () => {
    const frames = [0, 0.5, 1, 7, 7.25].map((dt, i) => udp(CLIENT, SERVER, 5000, 53, 20, T0 + dt + i * 0));
    const { rows, get } = cic(frames);
    const r = rows[0];
    expect(get(r, 'Idle Mean')).toBe('6000000');
    expect(get(r, ' Active Max')).toBe('1000000');
    expect(get(r, ' Active Min')).toBe('250000');
    expect(get(r, 'Active Mean')).toBe('625000');
  });

  it('keeps what CICFlowMeter dropped: single-packet flows, IPv6, ICMP; no NaN or Infinity anywhere', () => {
    const office = [...officeFrames({ seed: 4, startEpochS: T0, rounds: 4, floodSynsPerRound: 100 })];
    const frames = [...office, ping(CLIENT6, SERVER6, false, 7, 1, T0 + 2.5)].sort((a, b) => a.t - b.t);
    const { rows, get, extraction, writer } = cic(frames);
    const netml = runExtraction(new FlowExtraction(), frames).rows;
    expect(rows).toHaveLength(netml.length);
    expect(rows.reduce((n, r) => n + Number(get(r, ' Total Fwd Packets')) + Number(get(r, ' Total Backward Packets')), 0)).toBe(extraction.counts.ipPackets);
    expect(rows.filter((r) => get(r, ' Total Fwd Packets') === '1' && get(r, ' Total Backward Packets') === '0').length).toBeGreaterThan(50);
    expect(rows.some((r) => get(r, ' Source IP') === '2001:db8::c' && get(r, ' Protocol') === '58')).toBe(true);
    for (const r of rows) {
      expect(r).toHaveLength(85);
      CIC_COLUMNS.forEach((c, i) => {
        expect(r[i], c.name).not.toBe('');
        if (c.type === 'int' || c.type === 'float') expect(Number.isFinite(Number(r[i])), `${c.name}=${r[i]}`).toBe(true);
      });
    }
    expect(writer.nonFiniteCells).toBe(0);
  });

  it('writes --labels classes in the Label column, BENIGN for the rest', () => {
    const frames = [udp(CLIENT, SERVER, 5000, 53, 20, T0), udp(SERVER, CLIENT, 53, 5000, 60, T0 + 0.01), ping(SERVER, CLIENT, false, 1, 1, T0 + 1)];
    const { rows, get, extraction } = cic(frames, { rules: [{ label: 'DNS', src: parseAddressPattern('192.168.1.0/24'), dstPort: 53 }] });
    expect(rows.map((r) => get(r, ' Label'))).toEqual(['DNS', 'BENIGN']);
    expect(extraction.labelCounts()).toEqual({ DNS: 1, BENIGN: 1 });
  });
});
