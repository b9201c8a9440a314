// Throwaway network namespaces joined by a veth pair: the live tests send traffic only between namespaces
// they created themselves, never to the host's network, and remove them afterwards.

import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Why the live tests cannot run here, or undefined when they can. */
export function liveSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'live capture tests need Linux';
  if (process.geteuid?.() !== 0) return 'live capture tests need root: they create network namespaces and capture packets';
  if (spawnSync('ip', ['-V']).status !== 0) return 'live capture tests need iproute2 (`ip`)';
  const probe = `netml-t-probe-${randomBytes(2).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `cannot create network namespaces here: ${add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export interface VethPair {
  nsA: string;
  nsB: string;
  /** the veth end inside nsA */
  ifA: string;
  ifB: string;
  addrA: string;
  addrB: string;
  macA: string;
  macB: string;
  remove(): void;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Two namespaces netml-t-a-XXXX and netml-t-b-XXXX joined by a veth pair with a 10.200.x.0/30 inside them only,
 * static neighbour entries (so no datagram waits for ARP and none is dropped behind it) and lo up in both.
 */
export function createVethPair(): VethPair {
  const id = randomBytes(2).toString('hex');
  const nsA = `netml-t-a-${id}`;
  const nsB = `netml-t-b-${id}`;
  const ifA = `nml-a-${id}`;
  const ifB = `nml-b-${id}`;
  const x = 1 + (randomBytes(1)[0] % 254);
  const addrA = `10.200.${x}.1`;
  const addrB = `10.200.${x}.2`;
  const created: string[] = [];
  const remove = () => {
    for (const ns of created.splice(0)) spawnSync('ip', ['netns', 'del', ns]); // deleting a namespace deletes its veth end, and so the pair
  };
  try {
    ip(['netns', 'add', nsA]);
    created.push(nsA);
    ip(['netns', 'add', nsB]);
    created.push(nsB);
    // created with its ends already inside the namespaces: the pair never exists in the host's namespace
    ip(['link', 'add', ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', ifB, 'netns', nsB]);
    ip(['-n', nsA, 'addr', 'add', `${addrA}/30`, 'dev', ifA]);
    ip(['-n', nsB, 'addr', 'add', `${addrB}/30`, 'dev', ifB]);
    for (const [ns, dev] of [
      [nsA, ifA],
      [nsB, ifB],
      [nsA, 'lo'],
      [nsB, 'lo'],
    ]) {
      ip(['-n', ns, 'link', 'set', dev, 'up']);
    }
    const macA = macOf(nsA, ifA);
    const macB = macOf(nsB, ifB);
    ip(['-n', nsB, 'neigh', 'replace', addrA, 'lladdr', macA, 'dev', ifB, 'nud', 'permanent']);
    ip(['-n', nsA, 'neigh', 'replace', addrB, 'lladdr', macB, 'dev', ifA, 'nud', 'permanent']);
    return { nsA, nsB, ifA, ifB, addrA, addrB, macA, macB, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

function macOf(ns: string, dev: string): string {
  const info = JSON.parse(ip(['-n', ns, '-j', 'link', 'show', 'dev', dev])) as { address: string }[];
  return info[0].address;
}

/** Namespaces whose names this suite uses; a leftover from a killed run is removed before the next one. */
export function removeStaleNamespaces(maxAgeMs = 10 * 60 * 1000): void {
  // only our own prefix, and only those older than any run in progress could be
  const now = Date.now();
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    if (!/^netml-t-[abc]-[0-9a-f]{4}$/.test(name)) continue;
    const st = spawnSync('stat', ['-c', '%Y', `/run/netns/${name}`], { encoding: 'utf8' });
    const mtimeMs = Number(st.stdout.trim()) * 1000;
    if (Number.isFinite(mtimeMs) && now - mtimeMs > maxAgeMs) spawnSync('ip', ['netns', 'del', name]);
  }
}

// A UDP sender run inside a namespace: `count` datagrams to host:port, each carrying "<tag>-<seq>" padded
// with dots to `payloadBytes`, one after the other (each send waits for the previous one's callback).
const SENDER = `
const dgram = require('node:dgram');
const [host, port, count, tag, payloadBytes, sourcePort] = process.argv.slice(1);
const n = Number(count), size = Number(payloadBytes);
const socket = dgram.createSocket('udp4');
socket.bind(Number(sourcePort), () => {
  let i = 0;
  const t0 = process.hrtime.bigint();
  const next = (err) => {
    if (err) { console.error(err.message); process.exit(1); }
    if (i === n) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(JSON.stringify({ sent: n, seconds: s }));
      socket.close();
      return;
    }
    const body = Buffer.alloc(size, '.');
    body.write(tag + '-' + String(i).padStart(7, '0'));
    i++;
    socket.send(body, Number(port), host, next);
  };
  next();
});`;

export interface SendResult {
  sent: number;
  seconds: number;
}

/** Sends `count` UDP datagrams from nsB (or `fromNamespace`) to addrA (or `to`):port, from port+1 unless `sourcePort` is given. */
export async function sendUdp(
  pair: VethPair,
  options: { count: number; port: number; tag: string; payloadBytes?: number; sourcePort?: number; fromNamespace?: string; to?: string },
): Promise<SendResult> {
  const { stdout } = await execFileAsync(
    'ip',
    ['netns', 'exec', options.fromNamespace ?? pair.nsB, process.execPath, '-e', SENDER, options.to ?? pair.addrA, String(options.port), String(options.count), options.tag, String(options.payloadBytes ?? 32), String(options.sourcePort ?? options.port + 1)],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(stdout) as SendResult;
}

export function payloadOf(tag: string, seq: number): string {
  return `${tag}-${String(seq).padStart(7, '0')}`;
}

export interface NamespaceRun {
  child: ChildProcess;
  /** resolves with the first group of `readyPattern` once it appears on stderr; rejects if the process ends first */
  ready: Promise<string>;
  /** `report`: the last stdout line parsed as JSON when it is JSON (else the whole stdout if that is, else undefined) */
  result: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; report: any }>;
}

/** Runs argv inside namespace `ns` (as another user through setpriv when asked), collecting its output. */
export function spawnInNamespace(
  ns: string,
  argv: string[],
  options: { readyPattern?: RegExp; env?: NodeJS.ProcessEnv; asUser?: number; cwd?: string } = {},
): NamespaceRun {
  const asUser = options.asUser === undefined ? [] : ['setpriv', `--reuid=${options.asUser}`, `--regid=${options.asUser}`, '--clear-groups'];
  const child = spawn('ip', ['netns', 'exec', ns, ...asUser, ...argv], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onReady: (value: string) => void = () => undefined;
  let onEarlyEnd: (err: Error) => void = () => undefined;
  const ready = new Promise<string>((res, rej) => {
    onReady = res;
    onEarlyEnd = rej;
  });
  ready.catch(() => undefined);
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const m = options.readyPattern?.exec(stderr);
    if (m) onReady(m[1] ?? m[0]);
  });
  const result = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; report: any }>((res) => {
    child.on('close', (code, signal) => {
      onEarlyEnd(new Error(`process ended (code ${code}, signal ${signal}) before it was ready:\n${stdout}\n${stderr}`));
      res({ code, signal, stdout, stderr, report: parseJsonReport(stdout) });
    });
  });
  return { child, ready, result };
}

function parseJsonReport(stdout: string): any {
  for (const text of [stdout.trim().split('\n').pop() ?? '', stdout]) {
    try {
      return JSON.parse(text);
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

/** Resolves with the run's result, or kills the process (by its PID) and rejects after `ms`. */
export async function within(run: NamespaceRun, ms: number, what: string): ReturnType<() => NamespaceRun['result']> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      rej(new Error(`${what} did not end within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([run.result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
