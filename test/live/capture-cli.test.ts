// The acceptance test of live capture: the real `netml capture` (bin/netml.js over dist/) inside a namespace
// of our own, stopped by Ctrl+C, by --count and by --duration, its outputs read back by tshark and by our
// own reader, and its failures (unknown interface, bad filter, no privileges) with their exit codes.

import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaptureFile } from '../../src/capture/capture-file.js';
import { PACKET_CSV_HEADER } from '../../src/schema/packet-columns.js';
import { createVethPair, liveSkipReason, payloadOf, removeStaleNamespaces, sendUdp, spawnInNamespace, type VethPair, within } from './netns.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin', 'netml.js');
const PORT = 9999;
const FILTER = `udp port ${PORT}`;
/** what `netml capture` prints on stderr once libpcap is open (src/cli/capture.ts) */
const CAPTURING = /^capturing on (\S+)/m;

function skipReason(): string | undefined {
  const live = liveSkipReason();
  if (live) return live;
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return 'the CLI is not built: run `npm run build` first';
  return undefined;
}
const reason = skipReason();
if (reason) console.warn(`skipping live CLI tests: ${reason}`);
const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;

describe.skipIf(reason !== undefined)('netml capture, live, inside a namespace of our own', () => {
  let pair: VethPair;
  let dir: string;

  beforeAll(() => {
    removeStaleNamespaces();
    pair = createVethPair();
    dir = mkdtempSync(join(tmpdir(), 'netml-live-cli-'));
    chmodSync(dir, 0o755); // the no-permission run is a different user
  });

  afterAll(() => {
    pair?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function capture(args: string[], options: { env?: NodeJS.ProcessEnv; asUser?: number } = {}) {
    return spawnInNamespace(pair.nsA, [process.execPath, CLI, 'capture', ...args], { readyPattern: CAPTURING, cwd: dir, ...options });
  }

  async function framesOf(path: string): Promise<{ count: number; payloads: string[] }> {
    const reader = await openCaptureFile(path);
    const payloads: string[] = [];
    try {
      for await (const b of reader.batches()) {
        for (let i = 0; i < b.count; i++) {
          // Ethernet 14 + IPv4 20 + UDP 8, then "<tag>-<seq>" padded with dots
          const text = Buffer.from(b.bytes.subarray(b.start[i] + 42, b.start[i] + b.capLen[i])).toString('latin1');
          payloads.push(text.replace(/\.+$/, ''));
        }
      }
    } finally {
      await reader.close();
    }
    return { count: payloads.length, payloads };
  }

  it('Ctrl+C: exit 0, every datagram in packets.csv and capture.pcap, and the counts add up with libpcap\'s', async () => {
    const N = 1000;
    const tag = 'cli';
    const csv = join(dir, 'sigint', 'packets.csv');
    const pcap = join(dir, 'sigint', 'capture.pcap');
    const run = capture(['-i', pair.ifA, '-f', FILTER, '--csv-out', csv, '--pcap-out', pcap, '--json']);
    expect(await run.ready).toBe(pair.ifA);
    await sendUdp(pair, { count: N, port: PORT, tag });
    run.child.kill('SIGINT');
    const { code, report: summary, stderr } = await within(run, 15_000, 'netml capture after SIGINT');
    expect(code, stderr).toBe(0);

    const libpcap = summary.libpcap ?? summary;
    expect(summary.packets).toBe(N);
    expect(libpcap.received - libpcap.droppedByKernel - libpcap.droppedByInterface).toBe(N);
    expect(libpcap).toMatchObject({ received: N, droppedByKernel: 0, droppedByInterface: 0 });
    if ('droppedByNetml' in libpcap) expect(libpcap.droppedByNetml).toBe(0);
    expect(summary.interface).toBe(pair.ifA);
    expect(summary.linkTypes ?? [summary.linkType]).toEqual([1]);

    const text = readFileSync(csv, 'utf8');
    expect(text.slice(0, text.indexOf('\n'))).toBe(PACKET_CSV_HEADER);
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const rows = parsed.data;
    expect(rows).toHaveLength(N);
    expect(rows.map((r) => Number(r.packet_number))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    for (const r of rows) {
      expect(r).toMatchObject({
        src_addr: pair.addrB,
        dst_addr: pair.addrA,
        src_port: String(PORT + 1),
        dst_port: String(PORT),
        protocol: 'udp',
        wire_len_bytes: '74',
        link_type: '1',
        status: 'ok',
      });
    }

    const ours = await framesOf(pcap);
    expect(ours.payloads).toEqual(Array.from({ length: N }, (_, i) => payloadOf(tag, i)));
    if (hasTshark) {
      const t = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'udp.dstport'], { encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
      const ports = t.stdout.trim().split('\n');
      expect(ports).toHaveLength(N);
      expect(new Set(ports)).toEqual(new Set([String(PORT)]));
    }
  });

  it('--count 100 ends by itself after exactly 100 packets, and sudo\'s user gets the files', async () => {
    const csv = join(dir, 'count', 'packets.csv');
    const pcap = join(dir, 'count', 'capture.pcap');
    const run = capture(['-i', pair.ifA, '-f', FILTER, '-c', '100', '--csv-out', csv, '--pcap-out', pcap, '--json'], {
      env: { SUDO_UID: '65534', SUDO_GID: '65534' },
    });
    await run.ready;
    await sendUdp(pair, { count: 300, port: PORT, tag: 'count' });
    const { code, report: summary, stderr } = await within(run, 15_000, 'netml capture -c 100');
    expect(code, stderr).toBe(0);
    expect(summary.packets).toBe(100);
    expect(readFileSync(csv, 'utf8').trim().split('\n')).toHaveLength(101);
    expect((await framesOf(pcap)).payloads).toEqual(Array.from({ length: 100 }, (_, i) => payloadOf('count', i)));
    for (const path of [csv, pcap, join(dir, 'count')]) expect(statSync(path)).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('--duration 2 ends by itself after about two seconds with what came in', async () => {
    const csv = join(dir, 'duration', 'packets.csv');
    const started = Date.now();
    const run = capture(['-i', pair.ifA, '-f', FILTER, '--duration', '2', '--csv-out', csv, '--pcap-out', join(dir, 'duration', 'capture.pcap'), '--json']);
    await run.ready;
    await sendUdp(pair, { count: 50, port: PORT, tag: 'duration' });
    const { code, report: summary, stderr } = await within(run, 15_000, 'netml capture --duration 2');
    const seconds = (Date.now() - started) / 1000;
    expect(code, stderr).toBe(0);
    expect(summary.packets).toBe(50);
    expect(seconds).toBeGreaterThanOrEqual(2);
    // 2 s + at most one block timeout (1 s) to hand over the last frames + process start
    expect(seconds).toBeLessThan(6);
  });

  it('an interface that does not exist: exit 64 and the list of those that do', async () => {
    const run = capture(['-i', 'netml-nope0', '--csv-out', join(dir, 'nope', 'p.csv'), '--pcap-out', join(dir, 'nope', 'c.pcap')]);
    const { code, stderr } = await within(run, 15_000, 'netml capture -i netml-nope0');
    expect(code).toBe(64);
    expect(stderr).toMatch(/no network interface named "netml-nope0"/);
    expect(stderr).toMatch(new RegExp(`available interfaces: .*${pair.ifA}`));
  });

  it('a filter libpcap cannot compile: exit 64, quoting libpcap', async () => {
    const run = capture(['-i', pair.ifA, '-f', 'udp port', '--csv-out', join(dir, 'filter', 'p.csv'), '--pcap-out', join(dir, 'filter', 'c.pcap')]);
    const { code, stderr } = await within(run, 15_000, 'netml capture -f "udp port"');
    expect(code).toBe(64);
    expect(stderr).toMatch(/bad capture filter 'udp port': libpcap says "can't parse filter expression: syntax error"/);
  });

  it('without privileges: exit 77 and the sudo/setcap hint', async () => {
    // an output dir nobody may write to, so that libpcap, not the outputs, is what refuses
    const out = join(dir, 'noperm');
    mkdirSync(out);
    chownSync(out, 65534, 65534);
    const run = capture(['-i', pair.ifA, '--csv-out', join(out, 'p.csv'), '--pcap-out', join(out, 'c.pcap')], { asUser: 65534 });
    const { code, stderr } = await within(run, 15_000, 'netml capture as nobody');
    expect(code, stderr).toBe(77);
    expect(stderr).toMatch(/no permission to capture on/);
    expect(stderr).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
  });
});
