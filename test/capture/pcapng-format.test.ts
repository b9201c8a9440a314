// pcapng reading: sections in both byte orders, interface ids global across sections, every timestamp
// resolution (decimal, power of two, with offsets), SPB and the obsolete PB, blocks skipped by length,
// and damage that skips one block or stops reading with a warning at the right byte and packet.

import { afterAll, describe, expect, it } from 'vitest';
import { buildPcapng, frameBytes, readCapture, tempDir, type PcapngBlockSpec, type PcapngSectionSpec } from '../helpers/capture-builder.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** seconds and nanoseconds of `ts` units of 1/`unitsPerSecond` s, plus `offsetSec`, computed with BigInt */
function expectedTime(ts: bigint, unitsPerSecond: bigint, offsetSec = 0n): [number, number] {
  return [Number(ts / unitsPerSecond + offsetSec), Number(((ts % unitsPerSecond) * 1_000_000_000n) / unitsPerSecond)];
}

const d = (n: number, seed: number) => frameBytes(n, seed);

describe('pcapng', () => {
  it('reads two sections of different byte order, giving interfaces global ids in order of appearance', async () => {
    const sections: PcapngSectionSpec[] = [
      {
        byteOrder: 'le',
        blocks: [
          { kind: 'idb', linkType: 1, snapLen: 0, name: 'eth0' }, // default µs
          { kind: 'idb', linkType: 101, snapLen: 65535, tsresol: 9, name: 'tun0' },
          { kind: 'epb', interfaceId: 0, data: d(60, 1), wireLen: 60, timestamp: 1_700_000_000_123_456n },
          { kind: 'epb', interfaceId: 1, data: d(40, 2), wireLen: 1500, timestamp: 1_700_000_000_987_654_321n },
          { kind: 'raw', type: 4, body: new Uint8Array(8) }, // NRB
          { kind: 'raw', type: 0xbad, body: new Uint8Array(12) }, // custom block
        ],
      },
      {
        byteOrder: 'be',
        blocks: [
          { kind: 'idb', linkType: 113, snapLen: 96, tsresol: 0x80 | 20, tsoffset: 1000n }, // 2^-20 s
          { kind: 'idb', linkType: 228, snapLen: 0, tsresol: 3, tsoffset: -5n }, // ms, offset back in time
          { kind: 'epb', interfaceId: 0, data: d(96, 3), wireLen: 300, timestamp: (1_700_000_000n << 20n) + 524_288n },
          { kind: 'epb', interfaceId: 1, data: d(33, 4), timestamp: 1_700_000_000_999n },
          { kind: 'spb', data: d(100, 5), wireLen: 120 }, // interface 0 of this section, snapped to 96
          { kind: 'pb', interfaceId: 1, data: d(20, 6), timestamp: 1_700_000_001_000n },
          { kind: 'raw', type: 5, body: new Uint8Array(16) }, // ISB
        ],
      },
    ];
    const path = tmp.write('two-sections.pcapng', buildPcapng(sections).bytes);
    const { frames, reader } = await readCapture(path);
    expect(reader.format).toBe('pcapng');
    expect(reader.warnings).toEqual([]);
    expect(reader.interfaces).toEqual([
      { linkType: 1, snapLen: 0, name: 'eth0', tsResolutionDigits: 6 },
      { linkType: 101, snapLen: 65535, name: 'tun0', tsResolutionDigits: 9 },
      { linkType: 113, snapLen: 96, name: '', tsResolutionDigits: NaN },
      { linkType: 228, snapLen: 0, name: '', tsResolutionDigits: 3 },
    ]);
    expect(frames.map((f) => [f.interfaceId, f.linkType, f.capLen, f.wireLen])).toEqual([
      [0, 1, 60, 60],
      [1, 101, 40, 1500],
      [2, 113, 96, 300],
      [3, 228, 33, 33],
      [2, 113, 96, 120],
      [3, 228, 20, 20],
    ]);
    expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      expectedTime(1_700_000_000_123_456n, 1_000_000n),
      expectedTime(1_700_000_000_987_654_321n, 1_000_000_000n),
      expectedTime((1_700_000_000n << 20n) + 524_288n, 1n << 20n, 1000n),
      expectedTime(1_700_000_000_999n, 1000n, -5n),
      [0, 0], // SPBs carry no timestamp
      expectedTime(1_700_000_001_000n, 1000n, -5n),
    ]);
    expect(frames[4].data).toEqual(d(100, 5).subarray(0, 96));
    expect(frames[2].data).toEqual(d(96, 3));
  });

  it.each([
    ['nanoseconds past 2^53', 9, 18_446_744_073_709_551_615n],
    ['nanoseconds at the 2106 rollover', 9, 4_294_967_296_000_000_000n],
    ['microseconds near 2^64', 6, 18_446_744_073_709_551_000n],
    ['picoseconds', 12, 1_700_000_000_123_456_789_012n & 0xffffffffffffffffn],
    ['2^-30 s', 0x80 | 30, (1_700_000_000n << 30n) + 123_456_789n],
    ['2^-10 s', 0x80 | 10, (1_700_000_000n << 10n) + 1023n],
    ['whole seconds', 0, 1_700_000_000n],
    ['tenths of a second', 1, 17_000_000_009n],
  ])('converts 64-bit timestamps exactly: %s', async (_name, tsresol, timestamp) => {
    const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
    const blocks: PcapngBlockSpec[] = [
      { kind: 'idb', linkType: 1, tsresol },
      { kind: 'epb', interfaceId: 0, data: d(20, 1), timestamp },
    ];
    const path = tmp.write(`ts-${tsresol}.pcapng`, buildPcapng([{ blocks }]).bytes);
    const { frames } = await readCapture(path);
    expect([frames[0].tsSec, frames[0].tsNsec]).toEqual(expectedTime(timestamp, units));
  });

  it('skips an unknown block type by its length, says so once, and keeps reading', async () => {
    const { bytes, blockOffsets } = buildPcapng([
      {
        blocks: [
          { kind: 'idb', linkType: 1 },
          { kind: 'raw', type: 0x1234, body: new Uint8Array(7) },
          { kind: 'epb', interfaceId: 0, data: d(60, 1), timestamp: 1n },
          { kind: 'raw', type: 0x1234, body: new Uint8Array(4) },
          { kind: 'epb', interfaceId: 0, data: d(61, 2), timestamp: 2n },
        ],
      },
    ]);
    const path = tmp.write('unknown-block.pcapng', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(2);
    expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: blockOffsets[2], packetNumber: 1 })]);
    expect(reader.warnings[0].message).toMatch(/unknown pcapng block type 0x00001234/);
  });

  it('reads a file with only a section header as zero packets without a warning', async () => {
    const path = tmp.write('empty-section.pcapng', buildPcapng([{ blocks: [] }]).bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toEqual([]);
    expect(reader.warnings).toEqual([]);
    expect(reader.interfaces).toEqual([]);
  });
});

describe('damaged pcapng', () => {
  const idb: PcapngBlockSpec = { kind: 'idb', linkType: 1, snapLen: 0 };
  const epb = (i: number, extra: Partial<PcapngBlockSpec> = {}): PcapngBlockSpec =>
    ({ kind: 'epb', interfaceId: 0, data: d(50 + i, i), timestamp: BigInt(1_700_000_000_000_000 + i), ...extra }) as PcapngBlockSpec;

  // blocks: SHB, IDB, EPB#1, EPB#2, EPB#3 (damaged), EPB#4
  const cases: [name: string, damaged: PcapngBlockSpec, kept: number[], offsetInBlock: number, message: RegExp][] = [
    ['a block length that is not a multiple of 4 stops reading', epb(3, { totalLength: 83 }), [1, 2], 4, /total length of 83 bytes, not a multiple of 4/],
    ['a block length below the 12-byte minimum stops reading', epb(3, { totalLength: 8 }), [1, 2], 4, /total length of 8 bytes, less than the 12-byte minimum/],
    ['a trailing length that differs from the leading one stops reading', epb(3, { trailerLength: 4 }), [1, 2], -4, /declares 88 bytes at its start but 4 at its end/],
    ['a packet block shorter than its 32-byte minimum is skipped', { kind: 'raw', type: 6, body: new Uint8Array(12) }, [1, 2, 4], 0, /enhanced packet block is 24 bytes long/],
    ['a reference to an undefined interface is skipped', epb(3, { interfaceId: 7 }), [1, 2, 4], 8, /refers to interface 7 but section 1 defines only interfaces 0 to 0/],
    ['a captured length larger than the block body is skipped', epb(3, { capLen: 1000 }), [1, 2, 4], 20, /declares 1000 captured bytes but its body holds only 56/],
  ];

  it.each(cases)('%s', async (_name, damaged, kept, offsetInBlock, message) => {
    const { bytes, blockOffsets } = buildPcapng([{ blocks: [idb, epb(1), epb(2), damaged, epb(4)] }]);
    const path = tmp.write('damaged.pcapng', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames.map((f) => f.data)).toEqual(kept.map((i) => d(50 + i, i)));
    expect(reader.warnings).toHaveLength(1);
    const blockStart = blockOffsets[4];
    const blockEnd = blockOffsets[5];
    expect(reader.warnings[0]).toMatchObject({ byteOffset: offsetInBlock >= 0 ? blockStart + offsetInBlock : blockEnd + offsetInBlock, packetNumber: 3 });
    expect(reader.warnings[0].message).toMatch(message);
  });

  it('keeps the packets before a block cut short by the end of the file', async () => {
    const { bytes, blockOffsets } = buildPcapng([{ blocks: [idb, epb(1), epb(2), epb(3)] }]);
    for (const cut of [blockOffsets[4] + 5, blockOffsets[4] + 40, bytes.length - 1]) {
      const path = tmp.write('cut.pcapng', bytes.slice(0, cut));
      const { frames, reader } = await readCapture(path);
      expect(frames).toHaveLength(2);
      expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: blockOffsets[4], packetNumber: 3 })]);
      expect(reader.warnings[0].message).toMatch(/the file ends inside a pcapng/);
    }
  });

  it('stops at a later section header whose byte-order magic is damaged', async () => {
    const good = buildPcapng([{ blocks: [idb, epb(1)] }, { blocks: [idb, epb(2)] }]);
    const bytes = good.bytes.slice();
    const second = good.blockOffsets[3];
    bytes[second + 8] = 0x99;
    const path = tmp.write('bad-bom.pcapng', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(1);
    expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: second + 8, packetNumber: 2 })]);
  });

  it('skips a simple packet block that comes before any interface description', async () => {
    const { bytes, blockOffsets } = buildPcapng([{ blocks: [{ kind: 'spb', data: d(10, 1) }, idb, epb(2)] }]);
    const path = tmp.write('spb-first.pcapng', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames).toHaveLength(1);
    expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: blockOffsets[1], packetNumber: 1 })]);
  });

  it('restarts interface ids in each section, so a packet cannot use an interface of an earlier one', async () => {
    const { bytes, blockOffsets } = buildPcapng([{ blocks: [idb, epb(1)] }, { blocks: [epb(2), idb, epb(3)] }]);
    const path = tmp.write('section-ids.pcapng', bytes);
    const { frames, reader } = await readCapture(path);
    expect(frames.map((f) => f.interfaceId)).toEqual([0, 1]);
    expect(reader.warnings).toEqual([expect.objectContaining({ byteOffset: blockOffsets[4] + 8, packetNumber: 2 })]);
    expect(reader.warnings[0].message).toMatch(/section 2 defines no interface/);
  });
});
