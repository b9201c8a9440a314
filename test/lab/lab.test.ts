// The lab's promises, checked on a short mixed run as root: the attacker's own address is in the capture, every
// packet it sent falls inside a labelled attack window, and no namespace, link or process of the lab outlives it.

import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const LAB = join(ROOT, 'bench', 'lab', 'lab.js');
const ATTACKER = '10.77.0.66';
const ATTACKS = ['portscan', 'synflood', 'bruteforce'] as const;
/** the short CI scenario takes ~20 s once the tools are installed; apt-get on a fresh machine adds ~30 s */
const LAB_TIMEOUT_MS = 85_000;

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the lab needs Linux network namespaces';
  if (process.geteuid?.() !== 0) return 'the lab needs root: it creates network namespaces and captures packets (run the tests with sudo)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the lab needs iproute2 (`ip`)';
  const probe = `nmlab-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `cannot create network namespaces here: ${add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}
const reason = skipReason();
if (reason) console.warn(`skipping the lab test: ${reason}`);

interface Window {
  class: string;
  start: number;
  end: number;
}
interface LabSummary {
  capture: { pcap: string; packets: number };
  normalWorkers: number;
  attacks: (Window & { tool: string; exitCode: number | null })[];
  skippedAttacks: { attack: string; reason: string }[];
  normalTraffic: Record<string, { runs: number; failures: number }>;
  pids: { name: string; pid: number }[];
  namespaces: string[];
  cleanup: { stillAlive: unknown[]; failures: string[] };
}

/** Timestamp, IPv4 addresses and TCP/UDP ports (0 for other protocols) of each frame of a little- or big-endian pcap (µs or ns) on Ethernet. */
function ipv4Frames(path: string): { ts: number; src: string; dst: string; srcPort: number; dstPort: number }[] {
  const file = readFileSync(path);
  const magic = file.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const big = file.readUInt32BE(0) === 0xa1b2c3d4 || file.readUInt32BE(0) === 0xa1b23c4d;
  if (!little && !big) throw new Error(`${path} is not a pcap file (magic 0x${magic.toString(16)})`);
  const u32 = (at: number) => (little ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const fractionPerSecond = (little ? magic : file.readUInt32BE(0)) === 0xa1b23c4d ? 1e9 : 1e6;
  expect(u32(20) & 0xffff).toBe(1); // link type Ethernet
  const frames = [];
  const ip = (at: number) => `${file[at]}.${file[at + 1]}.${file[at + 2]}.${file[at + 3]}`;
  for (let at = 24; at + 16 <= file.length; ) {
    const ts = u32(at) + u32(at + 4) / fractionPerSecond;
    const capLen = u32(at + 8);
    const frame = at + 16;
    if (capLen >= 34 && file.readUInt16BE(frame + 12) === 0x0800) {
      const proto = file[frame + 23];
      const l4 = frame + 14 + (file[frame + 14] & 0x0f) * 4;
      const ports = (proto === 6 || proto === 17) && l4 + 4 <= frame + capLen;
      frames.push({ ts, src: ip(frame + 26), dst: ip(frame + 30), srcPort: ports ? file.readUInt16BE(l4) : 0, dstPort: ports ? file.readUInt16BE(l4 + 2) : 0 });
    }
    at = frame + capLen;
  }
  return frames;
}

function rootLinkNames(): string[] {
  return spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => l.split(': ')[1].split('@')[0])
    .sort();
}

/** the lab's namespaces only (nmlab-<pid>-<role>): other suites may add and remove their own meanwhile */
const namespaceList = () =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => /^nmlab-\d+-/.test(n))
    .sort();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('the lab, without root or with bad options', () => {
  it('says what is wrong with an option and exits 64', () => {
    const run = spawnSync(process.execPath, [LAB, '--scenario', 'weekend'], { encoding: 'utf8' });
    expect(run.status).toBe(64);
    expect(run.stderr).toMatch(/--scenario must be normal or mixed/);
  });

  it('refuses to run as an ordinary user, says to use sudo, and exits 77', () => {
    // as root, become `nobody` for this one run
    const argv = process.geteuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    const run = spawnSync(argv[0], [...argv.slice(1), LAB, '--scenario', 'normal'], { encoding: 'utf8', cwd: ROOT });
    expect(run.status).toBe(77);
    expect(run.stderr).toMatch(/needs root.*sudo/);
  });
});

describe.skipIf(reason !== undefined)('a short mixed lab run (15 s) as root', () => {
  let dir: string;
  let summary: LabSummary;
  let exitCode: number;
  let labels: { default: string; rules: { src?: string; dst?: string; start: number; end: number; class: string }[] };
  let frames: ReturnType<typeof ipv4Frames>;
  let linksBefore: string[];
  let namespacesBefore: string[];
  const ran: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netml-lab-test-'));
    linksBefore = rootLinkNames();
    namespacesBefore = namespaceList();
    const args = [LAB, '--scenario', 'mixed', '--duration', '15', '--seed', '7', '--out', join(dir, 'lab.pcap'), '--labels', join(dir, 'lab.labels.json'), '--json', '--allow-missing'];
    try {
      // SIGTERM on timeout: the lab then still removes its namespaces before it exits
      const { stdout } = await execFileAsync(process.execPath, args, { cwd: ROOT, timeout: LAB_TIMEOUT_MS, killSignal: 'SIGTERM', maxBuffer: 1 << 24 });
      exitCode = 0;
      summary = JSON.parse(stdout);
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      exitCode = typeof e.code === 'number' ? e.code : -1;
      try {
        summary = JSON.parse(e.stdout ?? '');
      } catch {
        throw new Error(`the lab failed (exit ${e.code}) without a JSON summary:\n${e.stderr}`);
      }
      console.error(e.stderr);
    }
    for (const s of summary.skippedAttacks ?? []) console.warn(`lab test: attack ${s.attack} not checked: ${s.reason}`);
    ran.push(...ATTACKS.filter((a) => !(summary.skippedAttacks ?? []).some((s) => s.attack === a)));
    if (exitCode === 0) {
      labels = JSON.parse(readFileSync(join(dir, 'lab.labels.json'), 'utf8'));
      frames = ipv4Frames(summary.capture.pcap);
    }
  }, LAB_TIMEOUT_MS + 15_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 with a capture that holds packets', () => {
    expect(exitCode).toBe(0);
    expect(summary.capture.packets).toBeGreaterThan(0);
    expect(frames.length).toBeGreaterThan(0);
  });

  it('captures packets sent from the attacker address, each inside an attack window', () => {
    const fromAttacker = frames.filter((f) => f.src === ATTACKER);
    expect(fromAttacker.length).toBeGreaterThan(0);
    // 50 ms of slack either side: the window is the attack process's life, read from the same wall clock
    const outside = fromAttacker.filter((f) => !summary.attacks.some((w) => f.ts >= w.start - 0.05 && f.ts <= w.end + 0.05));
    expect(outside).toEqual([]);
  });

  it.each(ATTACKS.map((a) => [a]))('has attacker packets inside the %s window (unless its tool was missing)', (attack) => {
    if (!ran.includes(attack)) return;
    const window = summary.attacks.find((w) => w.class === attack);
    expect(window, `no ${attack} window in the summary`).toBeDefined();
    const inside = frames.filter((f) => f.src === ATTACKER && f.ts >= window!.start && f.ts <= window!.end);
    // nmap sends a SYN to each of 1,024 ports, hping3 15,000 SYNs, hydra a few SSH connections
    const atLeast = { portscan: 1024, synflood: 1000, bruteforce: 20 }[attack];
    expect(inside.length).toBeGreaterThanOrEqual(atLeast);
  });

  it('writes labels that parse: default normal, and each attack window for the attacker as source and as destination', () => {
    expect(labels.default).toBe('normal');
    for (const attack of ran) {
      const rules = labels.rules.filter((r) => r.class === attack);
      expect(rules.map((r) => r.src ?? `dst ${r.dst}`).sort()).toEqual([ATTACKER, `dst ${ATTACKER}`]);
      for (const r of rules) {
        expect(r.end).toBeGreaterThan(r.start);
        expect(r.start).toBeGreaterThan(Date.now() / 1000 - 600); // epoch seconds, of this run
      }
    }
  });

  it('runs every kind of normal traffic, from several client addresses side by side', () => {
    expect(Object.keys(summary.normalTraffic).sort()).toEqual(['dns', 'download', 'iperf', 'ping', 'ssh', 'web']);
    // at least one run of each kind worked (a broken command line fails every time)
    for (const [kind, c] of Object.entries(summary.normalTraffic)) expect(c.failures, `${kind} failed ${c.failures} of ${c.runs} times`).toBeLessThan(c.runs);
    const clientFrames = frames.filter((f) => /^10\.77\.0\.1\d$/.test(f.src));
    expect(clientFrames.length).toBeGreaterThan(0);
    expect(frames.some((f) => f.src === '10.77.0.10')).toBe(true);
    // one address per worker at least
    expect(new Set(clientFrames.map((f) => f.src)).size).toBeGreaterThanOrEqual(summary.normalWorkers);
  });

  it('makes normal traffic of many flows: DNS from fresh ports, pages and downloads on connections of their own', () => {
    // a flow here is a client address, protocol-free port pair seen from the client: enough to count them
    const flows = new Set(frames.filter((f) => /^10\.77\.0\.1\d$/.test(f.src) && f.srcPort > 0).map((f) => `${f.src}:${f.srcPort}>${f.dstPort}`));
    // 3 workers for 15 s make ~150 flows; 60 would already be more than the old single client made in a minute
    expect(flows.size).toBeGreaterThanOrEqual(60);
  });

  it('leaves no namespace, link or process behind', () => {
    expect(summary.namespaces).toHaveLength(4);
    const now = namespaceList();
    for (const ns of summary.namespaces) expect(now).not.toContain(ns);
    expect(now).toEqual(namespacesBefore);
    expect(rootLinkNames()).toEqual(linksBefore);
    expect(summary.pids.length).toBeGreaterThan(5);
    expect(summary.pids.filter((p) => isAlive(p.pid))).toEqual([]);
    expect(summary.cleanup.stillAlive).toEqual([]);
    expect(summary.cleanup.failures).toEqual([]);
  });
});
