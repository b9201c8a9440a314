// openCaptureFile: typed errors for inputs it cannot start reading, and the streaming contract —
// chunk size and batch capacity never change the frames, and the file is closed however the loop ends.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCaptureFile } from '../../src/capture/capture-file.js';
import { CaptureFormatError, ExitCode, MissingInputError } from '../../src/errors.js';
import { buildPcap, buildPcapng, frameBytes, readCapture, tempDir, type PcapngBlockSpec, type ReadFrame } from '../helpers/capture-builder.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** mulberry32: a seeded generator, so a failing property run can be replayed */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('openCaptureFile errors', () => {
  const cases: [name: string, make: () => string, errorClass: Function, exitCode: number, message: RegExp][] = [
    ['a missing file', () => join(tmp.dir, 'nope.pcap'), MissingInputError, ExitCode.missingInput, /nope\.pcap: no such file/],
    ['a directory', () => { const p = join(tmp.dir, 'adir'); mkdirSync(p, { recursive: true }); return p; }, MissingInputError, ExitCode.missingInput, /is a directory/],
    ['an empty file', () => tmp.write('empty.pcap', new Uint8Array(0)), CaptureFormatError, ExitCode.badData, /empty\.pcap: the file is empty \(at byte 0\)/],
    ['a text file', () => tmp.write('notes.txt', new TextEncoder().encode('GET / HTTP/1.1\r\n')), CaptureFormatError, ExitCode.badData, /not a capture file: it starts with 47 45 54 20 \("GET ", text\)/],
    ['a gzip file', () => tmp.write('c.pcap.gz', Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0)), CaptureFormatError, ExitCode.badData, /1f 8b 08 00 \(gzip-compressed data\)/],
    ['a 3-byte file', () => tmp.write('tiny', Uint8Array.of(0xd4, 0xc3, 0xb2)), CaptureFormatError, ExitCode.badData, /only 3 bytes/],
    ['a pcap header cut short', () => tmp.write('short.pcap', buildPcap({ records: [] }).bytes.slice(0, 20)), CaptureFormatError, ExitCode.badData, /needs 24 bytes but the file has only 20 \(at byte 20\)/],
    ['a pcapng section header cut short', () => tmp.write('short.pcapng', buildPcapng([{ blocks: [] }]).bytes.slice(0, 20)), CaptureFormatError, ExitCode.badData, /needs at least 28 bytes but the file has only 20/],
    ['a pcapng section header longer than the file', () => { const b = buildPcapng([{ blocks: [] }]).bytes; b[4] = 200; return tmp.write('long-shb.pcapng', b); }, CaptureFormatError, ExitCode.badData, /declares 200 bytes but the file has only 28/],
    ['a pcapng file with a damaged byte-order magic', () => { const b = buildPcapng([{ blocks: [] }]).bytes; b[8] = 0; return tmp.write('bom.pcapng', b); }, CaptureFormatError, ExitCode.badData, /byte-order magic is 0x003c2b1a, expected 1a2b3c4d/],
  ];

  it.each(cases)('rejects %s with the right class, exit code and message', async (_name, make, errorClass, exitCode, message) => {
    const path = make();
    const err = await openCaptureFile(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errorClass);
    expect((err as { exitCode: number }).exitCode).toBe(exitCode);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(path);
    expect((err as { hint?: string }).hint).toBeTruthy();
  });

  it('says that netml reads pcap and pcapng when the file is something else', async () => {
    const err = (await openCaptureFile(tmp.write('x.csv', new TextEncoder().encode('a,b\n1,2\n'))).catch((e: unknown) => e)) as CaptureFormatError;
    expect(err.hint).toMatch(/netml reads pcap and pcapng/);
  });
});

describe('streaming', () => {
  function randomPcapng(random: () => number) {
    const blocks: PcapngBlockSpec[] = [
      { kind: 'idb', linkType: 1, tsresol: 9 },
      { kind: 'idb', linkType: 101, tsresol: 6 },
    ];
    for (let i = 0; i < 300; i++) {
      const len = Math.floor(random() * (random() < 0.05 ? 9000 : 200));
      blocks.push({ kind: 'epb', interfaceId: i % 2, data: frameBytes(len, i), timestamp: BigInt(Math.floor(random() * 2 ** 52)) });
      if (random() < 0.1) blocks.push({ kind: 'raw', type: 4, body: new Uint8Array(Math.floor(random() * 40)) });
    }
    return buildPcapng([{ blocks }, { byteOrder: 'be', blocks: blocks.slice(0, 50) }]).bytes;
  }

  function randomPcap(random: () => number) {
    const records = Array.from({ length: 400 }, (_, i) => {
      const len = Math.floor(random() * (random() < 0.05 ? 9000 : 200));
      return { data: frameBytes(len, i), tsSec: i, tsFrac: Math.floor(random() * 1e9) };
    });
    // cut inside the last record, so the truncation path runs at every chunk size too
    const bytes = buildPcap({ nanosecond: true, byteOrder: 'be', records }).bytes;
    return bytes.slice(0, bytes.length - 3);
  }

  it.each([
    ['pcap', 'stream.pcap', randomPcap],
    ['pcapng', 'stream.pcapng', randomPcapng],
  ] as const)('gives the same %s frames and warnings whatever the chunk size and batch capacity', async (_name, file, make) => {
    const random = seeded(20240601);
    const path = tmp.write(file, make(random));
    // one string per frame: a quick deep comparison
    const digest = (frames: ReadFrame[]) =>
      frames.map((f) => `${f.packetNumber} ${f.interfaceId} ${f.linkType} ${f.capLen} ${f.wireLen} ${f.tsSec}.${f.tsNsec} ${Buffer.from(f.data).toString('base64')}`);
    const reference = await readCapture(path);
    expect(reference.frames.length).toBeGreaterThan(300);
    expect(reference.reader.bytesRead).toBe(reference.reader.fileSizeBytes);
    for (let run = 0; run < 40; run++) {
      const chunkBytes = run === 0 ? 64 : 64 + Math.floor(random() * 20000);
      const batchCapacity = 1 + Math.floor(random() * 64);
      const { frames, reader } = await readCapture(path, { chunkBytes, batchCapacity });
      expect(digest(frames), `chunkBytes ${chunkBytes}, batchCapacity ${batchCapacity}`).toEqual(digest(reference.frames));
      expect(reader.warnings).toEqual(reference.reader.warnings);
      expect(reader.bytesRead).toBeLessThanOrEqual(reader.fileSizeBytes);
    }
  });

  it('reads a named pipe front to back, giving the frames a file gives (small blocks: records span them)', async () => {
    const random = seeded(7);
    const path = tmp.write('piped.pcapng', randomPcapng(random));
    const reference = await readCapture(path);
    const fifo = join(tmp.dir, 'capture.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('cp', [path, fifo]);
    const written = new Promise((resolve) => writer.on('close', resolve));
    const piped = await readCapture(fifo, { chunkBytes: 1000 });
    await written;
    expect(piped.frames.map((f) => Buffer.from(f.data).toString('base64'))).toEqual(reference.frames.map((f) => Buffer.from(f.data).toString('base64')));
    expect(piped.frames.map((f) => `${f.tsSec}.${f.tsNsec}`)).toEqual(reference.frames.map((f) => `${f.tsSec}.${f.tsNsec}`));
    expect(piped.reader.warnings).toEqual(reference.reader.warnings);
  });

  it('numbers batches continuously and never exceeds the batch capacity', async () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ data: frameBytes(10, i), tsSec: i, tsFrac: 0 }));
    const path = tmp.write('batches.pcap', buildPcap({ records }).bytes);
    const reader = await openCaptureFile(path, { batchCapacity: 7 });
    let next = 1;
    for await (const b of reader.batches()) {
      expect(b.firstPacketNumber).toBe(next);
      expect(b.count).toBeGreaterThan(0);
      expect(b.count).toBeLessThanOrEqual(7);
      next += b.count;
    }
    expect(next).toBe(101);
  });

  const fdDir = '/proc/self/fd';
  it.skipIf(!existsSync(fdDir))('closes the file when the consumer breaks out of the loop early', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ data: frameBytes(100, i), tsSec: i, tsFrac: 0 }));
    const path = tmp.write('early-break.pcap', buildPcap({ records }).bytes);
    const before = readdirSync(fdDir).length;
    const reader = await openCaptureFile(path, { chunkBytes: 4096, batchCapacity: 10 });
    expect(readdirSync(fdDir).length).toBe(before + 1);
    for await (const b of reader.batches()) {
      expect(b.count).toBe(10);
      break;
    }
    expect(readdirSync(fdDir).length).toBe(before);
    await reader.close(); // a second close is harmless
  });

  it('closes the file when the consumer throws', async () => {
    const path = tmp.write('throw.pcap', buildPcap({ records: [{ data: frameBytes(10, 1), tsSec: 1, tsFrac: 1 }] }).bytes);
    const reader = await openCaptureFile(path);
    const before = existsSync(fdDir) ? readdirSync(fdDir).length : 0;
    await expect(
      (async () => {
        for await (const _ of reader.batches()) throw new Error('consumer failed');
      })(),
    ).rejects.toThrow('consumer failed');
    if (existsSync(fdDir)) expect(readdirSync(fdDir).length).toBe(before - 1);
  });
});
