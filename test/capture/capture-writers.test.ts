// PcapWriter and PcapngWriter: what they write reads back through netml's reader frame for frame and
// byte for byte, opens in tshark (when it is installed), and the per-frame path allocates nothing.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter } from '../../src/capture/pcap-writer.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { FileSink } from '../../src/io/file-sink.js';
import { frameBytes, readCapture, tempDir } from '../helpers/capture-builder.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

interface Frame {
  data: Uint8Array;
  wireLen: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
}

const frames: Frame[] = Array.from({ length: 40 }, (_, i) => {
  const data = frameBytes(i === 7 ? 0 : 14 + ((i * 53) % 1500), i);
  return {
    data,
    wireLen: data.length + (i % 4 === 0 ? 200 : 0),
    // 2106-02-07 (2^32 s) is the last second classic pcap can hold
    tsSec: i === 39 ? 4294967295 : 1_700_000_000 + i * 17,
    tsNsec: i === 39 ? 999_999_999 : (i * 987_654_321) % 1_000_000_000,
    interfaceId: i % 3,
  };
});

/** tshark's own reading of a file: one "epoch len caplen interface" line per frame */
function tsharkFields(path: string): string[] {
  const run = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'], {
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((l) => l !== '');
}

const epoch = (f: Frame) => `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`;

describe('PcapWriter', () => {
  it('writes nanosecond little-endian pcap that reads back byte-exactly', async () => {
    const path = join(tmp.dir, 'out.pcap');
    const sink = new FileSink(path, { blockBytes: 4096 });
    const writer = new PcapWriter(sink, 1, 65535);
    // frames from one shared buffer, as a FrameBatch hands them over
    const shared = new Uint8Array(frames.reduce((n, f) => n + f.data.length + 3, 0));
    let at = 0;
    for (const f of frames) {
      shared.set(f.data, at + 3);
      writer.writeFrame(shared, at + 3, f.data.length, f.wireLen, f.tsSec, f.tsNsec);
      at += f.data.length + 3;
    }
    sink.close();
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
    const { frames: read, reader } = await readCapture(path);
    expect(reader.format).toBe('pcap-ns');
    expect(reader.interfaces).toEqual([{ linkType: 1, snapLen: 65535, name: '', tsResolutionDigits: 9 }]);
    expect(reader.warnings).toEqual([]);
    expect(read.map((f) => ({ data: f.data, wireLen: f.wireLen, tsSec: f.tsSec, tsNsec: f.tsNsec }))).toEqual(
      frames.map((f) => ({ data: f.data, wireLen: f.wireLen, tsSec: f.tsSec, tsNsec: f.tsNsec })),
    );
  });

  it('rejects a timestamp classic pcap cannot hold', () => {
    const sink = new FileSink(join(tmp.dir, 'range.pcap'));
    const writer = new PcapWriter(sink, 1, 65535);
    expect(() => writer.writeFrame(new Uint8Array(1), 0, 1, 1, 2 ** 32, 0)).toThrow(RangeError);
    expect(() => writer.writeFrame(new Uint8Array(1), 0, 1, 1, 0, 1e9)).toThrow(RangeError);
    sink.abandon();
  });

  it.skipIf(!hasTshark)('writes files tshark reads with the same timestamps and lengths', () => {
    const path = join(tmp.dir, 'tshark.pcap');
    const sink = new FileSink(path);
    const writer = new PcapWriter(sink, 1, 262144);
    for (const f of frames) writer.writeFrame(f.data, 0, f.data.length, f.wireLen, f.tsSec, f.tsNsec);
    sink.close();
    expect(tsharkFields(path)).toEqual(frames.map((f) => `${epoch(f)}\t${f.wireLen}\t${f.data.length}\t`));
  });
});

describe('PcapngWriter', () => {
  function write(path: string): void {
    const sink = new FileSink(path, { blockBytes: 1024 });
    const writer = new PcapngWriter(sink, { userAppl: 'netml test', os: 'Linux' });
    expect(writer.addInterface(1, 262144, 'eth0')).toBe(0);
    expect(writer.addInterface(101, 65535)).toBe(1);
    expect(writer.addInterface(113, 65535, 'any')).toBe(2);
    for (const f of frames) writer.writeFrame(f.interfaceId, f.data, 0, f.data.length, f.wireLen, f.tsSec, f.tsNsec);
    sink.close();
  }

  it('writes a section with several interfaces that reads back byte-exactly', async () => {
    const path = join(tmp.dir, 'out.pcapng');
    write(path);
    const { frames: read, reader } = await readCapture(path);
    expect(reader.format).toBe('pcapng');
    expect(reader.warnings).toEqual([]);
    expect(reader.interfaces).toEqual([
      { linkType: 1, snapLen: 262144, name: 'eth0', tsResolutionDigits: 9 },
      { linkType: 101, snapLen: 65535, name: '', tsResolutionDigits: 9 },
      { linkType: 113, snapLen: 65535, name: 'any', tsResolutionDigits: 9 },
    ]);
    expect(read.map((f) => ({ data: f.data, wireLen: f.wireLen, tsSec: f.tsSec, tsNsec: f.tsNsec, interfaceId: f.interfaceId }))).toEqual(frames);
    expect(read.map((f) => f.linkType)).toEqual(frames.map((f) => [1, 101, 113][f.interfaceId]));
  });

  it('writes timestamps past 2^53 nanoseconds exactly (year 2500)', async () => {
    const path = join(tmp.dir, 'far.pcapng');
    const sink = new FileSink(path);
    const writer = new PcapngWriter(sink);
    writer.addInterface(1, 0);
    writer.writeFrame(0, Uint8Array.of(1, 2, 3), 0, 3, 3, 16_725_225_600, 123_456_789);
    sink.close();
    const bytes = readFileSync(path);
    const epb = bytes.length - 36;
    const ts = (BigInt(bytes.readUInt32LE(epb + 12)) << 32n) | BigInt(bytes.readUInt32LE(epb + 16));
    expect(ts).toBe(16_725_225_600_123_456_789n);
    const { frames: read } = await readCapture(path);
    expect([read[0].tsSec, read[0].tsNsec]).toEqual([16_725_225_600, 123_456_789]);
  });

  it('refuses a frame for an interface it has not described', () => {
    const sink = new FileSink(join(tmp.dir, 'noif.pcapng'));
    const writer = new PcapngWriter(sink);
    expect(() => writer.writeFrame(0, new Uint8Array(1), 0, 1, 1, 0, 0)).toThrow(/interface 0 was not added/);
    sink.abandon();
  });

  it.skipIf(!hasTshark)('writes files tshark reads with the same timestamps, lengths and interfaces', () => {
    const path = join(tmp.dir, 'tshark.pcapng');
    write(path);
    expect(tsharkFields(path)).toEqual(frames.map((f) => `${epoch(f)}\t${f.wireLen}\t${f.data.length}\t${f.interfaceId}`));
  });
});

describe('writer fast path', () => {
  // Buffer#copy of a sub-range makes one short-lived view inside Node; whole frames show that the
  // writers' own per-frame code allocates nothing
  it.each(['pcap', 'pcapng'])('%s: allocates nothing per frame', (kind) => {
    const sink = new FileSink(join(tmp.dir, `alloc.${kind}`), { blockBytes: 1 << 20 });
    const pcap = kind === 'pcap' ? new PcapWriter(sink, 1, 65535) : undefined;
    const pcapng = kind === 'pcapng' ? new PcapngWriter(sink) : undefined;
    pcapng?.addInterface(1, 65535);
    const start = sink.pos;
    const frame = Buffer.alloc(64, 7);
    const heapGrowth = (n: number) => {
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < n; i++) {
        if (sink.pos > 900_000) sink.pos = start; // rewrite the same block: this measures the writer, not the disk
        if (pcap) pcap.writeFrame(frame, 0, 64, 64, 1_700_000_000, i);
        else pcapng!.writeFrame(0, frame, 0, 64, 64, 1_700_000_000, i);
      }
      return process.memoryUsage().heapUsed - before;
    };
    heapGrowth(50_000); // warm up: let the JIT settle
    // the test runner allocates now and then in this thread too: the least of three runs is the writer's own
    const growth = Math.min(heapGrowth(200_000), heapGrowth(200_000), heapGrowth(200_000));
    expect(growth).toBeLessThan(200_000); // < 1 byte per frame
    sink.abandon();
  });
});
