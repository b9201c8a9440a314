// Classic pcap reading: both byte orders, µs and ns, the odd header variants wiretap accepts, and every
// kind of damage after the header (kept packets, warning offset and packet number).

import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, frameBytes, readCapture, tempDir, type ByteOrder, type PcapRecordSpec } from '../helpers/capture-builder.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function records(count: number, nanosecond: boolean): PcapRecordSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    data: frameBytes(60 + ((i * 37) % 1400), i),
    wireLen: 60 + ((i * 37) % 1400) + (i % 3 === 0 ? 100 : 0),
    tsSec: 1_700_000_000 + i,
    tsFrac: nanosecond ? (i * 123_456_789) % 1_000_000_000 : (i * 123_457) % 1_000_000,
  }));
}

describe('classic pcap', () => {
  it.each<[ByteOrder, boolean]>([
    ['le', false],
    ['be', false],
    ['le', true],
    ['be', true],
  ])('reads every record of a %s file (nanosecond: %s) with exact timestamps and lengths', async (order, nanosecond) => {
    const recs = records(50, nanosecond);
    const path = tmp.write(`rt-${order}-${nanosecond}.pcap`, buildPcap({ byteOrder: order, nanosecond, linkType: 1, snapLen: 65535, records: recs }).bytes);
    const { frames, reader } = await readCapture(path);
    expect(reader.format).toBe(nanosecond ? 'pcap-ns' : 'pcap');
    expect(reader.interfaces).toEqual([{ linkType: 1, snapLen: 65535, name: '', tsResolutionDigits: nanosecond ? 9 : 6 }]);
    expect(reader.warnings).toEqual([]);
    expect(frames).toHaveLength(recs.length);
    frames.forEach((f, i) => {
      expect(f.data).toEqual(recs[i].data);
      expect(f.wireLen).toBe(recs[i].wireLen);
      expect(f.tsSec).toBe(recs[i].tsSec);
      expect(f.tsNsec).toBe(nanosecond ? recs[i].tsFrac : recs[i].tsFrac * 1000);
      expect(f.linkType).toBe(1);
      expect(f.interfaceId).toBe(0);
      expect(f.packetNumber).toBe(i + 1);
    });
  });

  it('masks the link type with 0x03ffffff, as the upper bits carry FCS information', async () => {
    const path = tmp.write('fcs-bits.pcap', buildPcap({ linkType: 0x34000065, records: records(1, false) }).bytes);
    const { frames, reader } = await readCapture(path);
    expect(reader.interfaces[0].linkType).toBe(101);
    expect(frames[0].linkType).toBe(101);
  });

  it('reads a file with a header and no packets as zero packets without a warning', async () => {
    const path = tmp.write('no-packets.pcap', buildPcap({ records: [] }).bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(0);
    expect(reader.warnings).toEqual([]);
  });

  it('swaps captured and original lengths in version 2.2 files, written before the 2.3 reorder', async () => {
    const path = tmp.write('v22.pcap', buildPcap({ versionMinor: 2, records: [{ data: frameBytes(40, 1), wireLen: 1500, tsSec: 1, tsFrac: 2 }] }).bytes);
    const { frames } = await readCapture(path);
    expect(frames.map((f) => [f.capLen, f.wireLen])).toEqual([[40, 1500]]);
  });

  it('recognises the 1999 ss990417 record header (24 bytes) when plain pcap headers make no sense', async () => {
    // ifindex 2, protocol 0x0800, pkt_type 0, pad
    const extra = Uint8Array.of(2, 0, 0, 0, 0x00, 0x08, 0, 0);
    const recs = records(4, false);
    const path = tmp.write('ss990417.pcap', buildPcap({ records: recs, extraRecordHeader: extra, snapLen: 65535 }).bytes);
    const { frames, reader } = await readCapture(path);
    expect(reader.warnings).toEqual([]);
    expect(frames.map((f) => f.capLen)).toEqual(recs.map((r) => r.data.length));
    expect(frames[3].data).toEqual(recs[3].data);
  });

  it('reads the modified magic a1b2cd34 with ss991029 record headers', async () => {
    const extra = Uint8Array.of(2, 0, 0, 0, 0x00, 0x08, 0, 0);
    const recs = records(3, false);
    const path = tmp.write('ss991029.pcap', buildPcap({ modifiedMagic: true, records: recs, extraRecordHeader: extra, snapLen: 65535 }).bytes);
    const { frames } = await readCapture(path);
    expect(frames.map((f) => f.data)).toEqual(recs.map((r) => r.data));
  });
});

describe('damaged classic pcap', () => {
  const recs = records(5, false);
  const good = buildPcap({ snapLen: 65535, records: recs });
  const offsets = good.packetOffsets;

  it.each([
    ['the last record header is cut', good.bytes.slice(0, offsets[4] + 7), 4, offsets[4], /ends inside a record header: 7 of its 16 bytes/],
    ['the last record data is cut', good.bytes.slice(0, offsets[4] + 16 + 10), 4, offsets[4], /ends inside a packet: the record declares \d+ captured bytes but only 10 follow/],
  ])('keeps the packets before the damage when %s', async (_name, bytes, kept, offset, message) => {
    const path = tmp.write(`cut-${kept}-${bytes.length}.pcap`, bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(kept);
    expect(frames.map((f) => f.data)).toEqual(recs.slice(0, kept).map((r) => r.data));
    expect(reader.warnings).toHaveLength(1);
    expect(reader.warnings[0]).toMatchObject({ byteOffset: offset, packetNumber: kept + 1 });
    expect(reader.warnings[0].message).toMatch(message);
  });

  it('stops at a captured length larger than the file, without allocating for it', async () => {
    const bad = recs.map((r, i) => (i === 2 ? { ...r, inclLen: 100_000_000 } : r));
    // nanosecond magic: no variant probing, which would otherwise (like tshark) try other record layouts
    const { bytes, packetOffsets } = buildPcap({ nanosecond: true, snapLen: 262144, linkType: 231 /* D-Bus allows 128 MiB */, records: bad });
    const path = tmp.write('caplen-past-eof.pcap', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(2);
    expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: packetOffsets[2], packetNumber: 3 })]);
    expect(reader.warnings[0].message).toMatch(/declares 100000000 captured bytes but only \d+ follow/);
  });

  it.each([
    ['more than 256 KiB, the maximum tshark accepts for Ethernet', 300_000, /300000 bytes, more than the 262144-byte maximum for link type 1/],
    ['absurd (above 256 MiB)', 0xfffffff0, /4294967280 bytes/],
  ])('stops at a record whose captured length is %s', async (_name, inclLen, message) => {
    const bad = recs.map((r, i) => (i === 3 ? { ...r, inclLen } : r));
    const { bytes, packetOffsets } = buildPcap({ snapLen: 65535, records: bad });
    const path = tmp.write(`caplen-${inclLen}.pcap`, bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(3);
    expect(reader.warnings).toHaveLength(1);
    expect(reader.warnings[0]).toMatchObject({ byteOffset: packetOffsets[3], packetNumber: 4 });
    expect(reader.warnings[0].message).toMatch(message);
  });

  it('keeps a record longer than the snapshot length, as tshark does, and says so once', async () => {
    const { bytes, packetOffsets } = buildPcap({ snapLen: 64, records: recs });
    const path = tmp.write('over-snaplen.pcap', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames.map((f) => f.data)).toEqual(recs.map((r) => r.data));
    expect(reader.warnings).toHaveLength(1);
    // the first record is 60 bytes, within the snapshot length
    expect(reader.warnings[0]).toMatchObject({ byteOffset: packetOffsets[1], packetNumber: 2 });
    expect(reader.warnings[0].message).toMatch(/larger than the snapshot length 64.*\(4 records in all\)/);
  });

  it('carries an out-of-range fraction of a second into the seconds and warns', async () => {
    const { bytes, packetOffsets } = buildPcap({ records: [recs[0], { ...recs[1], tsSec: 10, tsFrac: 2_500_000 }] });
    const path = tmp.write('frac.pcap', bytes);
    const { frames, reader } = await readCapture(path);
    expect([frames[1].tsSec, frames[1].tsNsec]).toEqual([12, 500_000_000]);
    expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: packetOffsets[1], packetNumber: 2 })]);
  });

  it('survives every truncation length of a small file, keeping exactly the complete records', async () => {
    const { bytes, packetOffsets } = buildPcap({ records: records(3, true), nanosecond: true });
    const ends = [...packetOffsets.slice(1), bytes.length];
    for (let cut = 24; cut <= bytes.length; cut++) {
      const path = tmp.write('trunc.pcap', bytes.slice(0, cut));
      const { frames, reader } = await readCapture(path, { chunkBytes: 64 });
      const complete = ends.filter((e) => e <= cut).length;
      expect(frames).toHaveLength(complete);
      const atBoundary = cut === 24 || ends.includes(cut);
      expect(reader.warnings).toHaveLength(atBoundary ? 0 : 1);
      if (!atBoundary) expect(reader.warnings[0]).toMatchObject({ byteOffset: packetOffsets[complete], packetNumber: complete + 1 });
    }
  });
});
