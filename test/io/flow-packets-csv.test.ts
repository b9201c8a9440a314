// packets.csv as extract input: the capture stage's CSV read back gives the same tables as the capture
// itself (but for ICMP echo identifiers, which packets.csv does not hold), and a CSV of another schema is
// refused with exit 65 naming packets/1.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';
import { looksLikePacketsCsv, parseIpv6 } from '../../src/io/flow-packets-csv.js';
import { PACKET_CSV_HEADER } from '../../src/schema/packet-columns.js';
import { CLIENT6, SERVER6, udp } from '../flow/flow-harness.js';

const run = runCli;

function captureWithCsv(): { dir: string; pcap: string; csv: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netml-csv-input-'));
  const frames = [...officeFrames({ seed: 8, rounds: 5, floodSynsPerRound: 80 })];
  frames.push(udp(CLIENT6, SERVER6, 5353, 53, 30, 1_700_000_002.5));
  frames.sort((a, b) => a.t - b.t);
  const pcap = join(dir, 'capture.pcap');
  writeTimedPcap(pcap, frames);
  return { dir, pcap, csv: join(dir, 'packets.csv') };
}

/** Rows without ICMP: packets.csv has no echo identifier, so pings may pair differently. */
const withoutIcmp = (text: string, protocolColumn: string) => {
  const [header, ...rows] = text.trimEnd().split('\n');
  const at = header.split(',').indexOf(protocolColumn);
  return [header, ...rows.filter((r) => !['icmp', 'icmpv6'].includes(r.split(',')[at]))];
};

describe('extract --input packets.csv', () => {
  it.each([
    ['flow', 'protocol'],
    ['host', undefined],
    ['packet', 'protocol'],
  ])('gives the same --level %s table as the capture it was written from', async (level, protocolColumn) => {
    const { dir, pcap, csv } = captureWithCsv();
    expect((await run(['capture', '--read', pcap, '--no-pcap', '-o', csv, '--quiet'])).code).toBe(0);
    const fromPcap = join(dir, 'from-pcap.csv');
    const fromCsv = join(dir, 'from-csv.csv');
    const a = await run(['extract', '--level', level, '-i', pcap, '-o', fromPcap, '--json']);
    const b = await run(['extract', '--level', level, '-i', csv, '-o', fromCsv, '--json']);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const sa = JSON.parse(a.stdout);
    const sb = JSON.parse(b.stdout);
    expect(sb.inputs[0].format).toBe('packets-csv');
    expect([sb.packets, sb.ipPackets, sb.nonIpPackets, sb.wireBytes]).toEqual([sa.packets, sa.ipPackets, sa.nonIpPackets, sa.wireBytes]);
    const ta = readFileSync(fromPcap, 'utf8');
    const tb = readFileSync(fromCsv, 'utf8');
    if (protocolColumn === undefined) expect(tb).toBe(ta);
    else expect(withoutIcmp(tb, protocolColumn).slice(0, 3000)).toEqual(withoutIcmp(ta, protocolColumn).slice(0, 3000));
  });

  it('refuses a CSV of another schema with exit 65, naming packets/1 and the first column that differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-csv-bad-'));
    const features = join(dir, 'features.csv');
    writeFileSync(features, 'flow_id,start_time_s\n1,2\n');
    const r = await run(['extract', '-i', features, '-o', join(dir, 'out.csv')]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('not a packets.csv of schema packets/1');
    expect(r.stderr).toContain('column 1 is "flow_id", expected "packet_number"');
  });

  it('names the line and column of a damaged cell (exit 65)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-csv-cell-'));
    const path = join(dir, 'packets.csv');
    const good = '1,1700000000.5,0,60,60,1,,,2048,,,,4,10.0.0.1,10.0.0.2,17,udp,64,46,0,0,0,1000,53,,,,,,18,,,,,,,ok,';
    writeFileSync(path, `${PACKET_CSV_HEADER}\r\n${good}\r\n${good.replace('10.0.0.2', '10.0.0.999')}\r\n`);
    const r = await run(['extract', '-i', path, '-o', join(dir, 'out.csv')]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('line 3, column dst_addr: expected an IPv4 address, found "10.0.0.999"');
  });

  it('refuses a number no packet can hold (port 70000 would wrap into another port) with its line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-csv-range-'));
    const path = join(dir, 'packets.csv');
    const good = '1,1700000000.5,0,60,60,1,,,2048,,,,4,10.0.0.1,10.0.0.2,17,udp,64,46,0,0,0,1000,53,,,,,,18,,,,,,,ok,';
    writeFileSync(path, `${PACKET_CSV_HEADER}\n${good}\n${good.replace(',1000,53,', ',70000,53,')}\n`);
    const r = await run(['extract', '-i', path, '-o', join(dir, 'out.csv')]);
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/line 3, column src_port: expected a whole number from 0 to 65535/);
  });

  it('reads CRLF line ends, short fractions and a last row without a newline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netml-csv-crlf-'));
    const path = join(dir, 'packets.csv');
    const row = (n: number, t: string) => `${n},${t},0,60,60,1,,,2048,,,,4,10.0.0.1,10.0.0.2,17,udp,64,46,0,0,0,1000,53,,,,,,18,,,,,,,ok,`;
    writeFileSync(path, `${PACKET_CSV_HEADER}\r\n${row(1, '1700000000.5')}\r\n${row(2, '1700000001')}\r\n${row(3, '1700000001.25')}`);
    const out = join(dir, 'out.csv');
    const r = await run(['extract', '-i', path, '-o', out, '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ packets: 3, ipPackets: 3 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('1700000000.500000000,1700000001.250000000,10.0.0.1,10.0.0.2,1000,53');
  });

  it('tells a CSV from a capture by its first bytes', () => {
    expect(looksLikePacketsCsv(Buffer.from('packet_number,time_epoch_s,'))).toBe(true);
    expect(looksLikePacketsCsv(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0))).toBe(false);
    expect(looksLikePacketsCsv(Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0))).toBe(false);
  });

  it.each([
    ['2001:db8::c', '20010db8000000000000000000000000'.slice(0, 30) + '0c'],
    ['::', '0'.repeat(32)],
    ['::1', '0'.repeat(30) + '01'],
    ['fe80::1:2', 'fe80' + '0'.repeat(20) + '00010002'],
    ['::ffff:10.1.2.3', '0'.repeat(20) + 'ffff0a010203'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
  ])('parses IPv6 text %s', (text, hex) => {
    const out = new Uint8Array(16);
    expect(parseIpv6(Buffer.from(text), 0, text.length, out, 0)).toBe(true);
    expect(Buffer.from(out).toString('hex')).toBe(hex);
  });

  it.each(['1:2:3', '1::2::3', '12345::', ':1', '1:2:3:4:5:6:7:8:9', 'g::'])('rejects IPv6 text %s', (text) => {
    expect(parseIpv6(Buffer.from(text), 0, text.length, new Uint8Array(16), 0)).toBe(false);
  });
});
