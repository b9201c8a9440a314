// `netml capture --read` end to end through main(argv): outputs, summaries, and every bad-input path a user hits.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { officeFrames, writeTimedPcap } from '../helpers/synthetic-capture.js';
import { openCaptureFile } from '../../src/capture/capture-file.js';
import { PACKET_CSV_HEADER } from '../../src/schema/packet-columns.js';

const run = runCli;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'netml-cli-'));
}

/** A small synthetic office capture, with its packet count. */
function makeCapture(dir: string): { path: string; packets: number } {
  const path = join(dir, 'office.pcap');
  return { path, packets: writeTimedPcap(path, officeFrames({ seed: 3, rounds: 4 })) };
}

describe('netml capture --read', () => {
  it('writes packets.csv with the schema header and one row per packet, and a capture copy that reads back the same', async () => {
    const dir = tempDir();
    const input = makeCapture(dir);
    const csv = join(dir, 'out', 'packets.csv');
    const pcap = join(dir, 'out', 'capture.pcap');
    const r = await run(['capture', '--read', input.path, '-o', csv, '-w', pcap, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ packets: input.packets, format: 'pcap-ns', linkTypes: [1], warnings: [], decodeProblems: [] });
    const text = readFileSync(csv, 'utf8');
    expect(text.slice(0, text.indexOf('\n'))).toBe(PACKET_CSV_HEADER);
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const rows = parsed.data;
    expect(rows).toHaveLength(input.packets);
    expect([...new Set(rows.map((row) => row.protocol))].sort()).toEqual(['arp', 'tcp', 'udp']);
    expect(new Set(rows.map((row) => row.ip_version))).toEqual(new Set(['', '4', '6']));
    expect(rows.every((row) => row.status === 'ok')).toBe(true);
    const [original, copy] = [await frames(input.path), await frames(pcap)];
    expect(copy).toEqual(original);
  });

  it('stops after --count packets', async () => {
    const dir = tempDir();
    const input = makeCapture(dir);
    const r = await run(['capture', '--read', input.path, '-c', '7', '-o', join(dir, 'p.csv'), '--no-pcap', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).packets).toBe(7);
    expect(readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n')).toHaveLength(8);
  });

  it('re-reading the capture copy in place leaves it untouched', async () => {
    const dir = tempDir();
    const input = makeCapture(dir);
    const before = readFileSync(input.path);
    const r = await run(['capture', '--read', input.path, '-w', input.path, '-o', join(dir, 'p.csv'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).outputs.pcap).toBeNull();
    expect(readFileSync(input.path)).toEqual(before);
  });

  it('prints a summary table naming what it wrote', async () => {
    const dir = tempDir();
    const input = makeCapture(dir);
    const r = await run(['capture', '--read', input.path, '-o', join(dir, 'p.csv'), '-w', join(dir, 'c.pcap')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('packets');
    expect(r.stdout).toContain(join(dir, 'p.csv'));
    expect(r.stdout).not.toContain('\x1b['); // no colour when not a terminal
  });

  it.each([
    ['a missing file', 66, (d: string) => join(d, 'nope.pcap'), /no such file/],
    ['a directory', 66, (d: string) => d, /is a directory/],
    ['an empty file', 65, (d: string) => write(d, 'empty.pcap', new Uint8Array(0)), /empty/],
    ['a text file', 65, (d: string) => write(d, 'notes.pcap', new TextEncoder().encode('hello, this is not a capture\n')), /not a (pcap|capture)/i],
  ])('refuses %s with exit %i, a clear message and a hint', async (_what, code, makePath, message) => {
    const dir = tempDir();
    const r = await run(['capture', '--read', makePath(dir), '-o', join(dir, 'p.csv'), '-w', join(dir, 'c.pcap')]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --debug
  });

  it('keeps every packet before a truncated last record and warns where the damage is', async () => {
    const dir = tempDir();
    const input = makeCapture(dir);
    const whole = readFileSync(input.path);
    const cut = write(dir, 'cut.pcap', whole.subarray(0, whole.length - 10));
    const r = await run(['capture', '--read', cut, '-o', join(dir, 'p.csv'), '--no-pcap', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.packets).toBe(input.packets - 1);
    expect(summary.warnings).toHaveLength(1);
    expect(summary.warnings[0].packetNumber).toBe(input.packets);
    expect(r.stderr).toMatch(new RegExp(`warning: .*packet ${input.packets}, byte \\d+`));
  });

  it.each([
    [['capture', '--read', 'x.pcap', '-i', 'eth0'], /live capture/],
    [['capture', '-c', 'many'], /whole number/],
    [['capture', '--duration', '-1'], /number above 0|unknown option/],
    [['capture', '--bogus'], /unknown option/],
  ])('rejects bad usage %j with exit 64', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(message);
  });

  it('--help teaches with examples and exits 0', async () => {
    const r = await run(['capture', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--read <file>');
    expect(r.stdout).toContain('setcap');
  });

  it('refuses a packets.csv path that is the capture it reads, or the copy it writes (exit 64)', async () => {
    const dir = tempDir();
    const { path } = makeCapture(dir);
    const before = readFileSync(path);
    const r = await run(['capture', '--read', path, '-o', path, '--no-pcap']);
    expect(r.code).toBe(64);
    expect(readFileSync(path).equals(before)).toBe(true);
    const both = await run(['capture', '--read', path, '-o', join(dir, 'x'), '-w', join(dir, 'x')]);
    expect(both.code).toBe(64);
    expect(both.stderr).toContain('the same file');
  });

  it('cannot write into a missing parent that is a file: exit 73', async () => {
    const dir = tempDir();
    const input = makeCapture(dir);
    write(dir, 'blocker', new Uint8Array(1));
    const r = await run(['capture', '--read', input.path, '-o', join(dir, 'blocker', 'p.csv'), '--no-pcap']);
    expect(r.code).toBe(73);
    expect(r.stderr).toMatch(/cannot write/);
  });
});

function write(dir: string, name: string, bytes: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function frames(path: string): Promise<string[]> {
  const reader = await openCaptureFile(path);
  const out: string[] = [];
  for await (const b of reader.batches()) {
    for (let i = 0; i < b.count; i++) {
      const bytes = Buffer.from(b.bytes.subarray(b.start[i], b.start[i] + b.capLen[i])).toString('hex');
      out.push(`${b.tsSec[i]}.${b.tsNsec[i]} ${b.wireLen[i]} ${bytes}`);
    }
  }
  await reader.close();
  return out;
}
