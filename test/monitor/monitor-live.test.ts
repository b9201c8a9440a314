// The acceptance test of `netml monitor`: the real CLI in a real terminal (a tmux server of its own) inside
// a namespace of our own while the test sends UDP at known rates both ways; the captured pane must show the
// expected KB/s and addresses; Ctrl+C must restore the terminal (main screen, cursor shown), print the
// summary and leave a complete log. Then, without a terminal, a model judges the flows; and without the
// privilege it exits 77. NETML_CLI=path/to/launcher.js runs it against another launcher.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONITOR_LOG_COLUMNS, MONITOR_LOG_HEADER } from '../../src/cli/monitor.js';
import { splitCsvLine } from '../../src/cli/visualize.js';
import { createVethPair, liveSkipReason, removeStaleNamespaces, type VethPair } from '../live/netns.js';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = process.env.NETML_CLI ? resolve(process.env.NETML_CLI) : join(ROOT, 'bin', 'netml.js');
const NOBODY = 65534;

function skipReason(): string | undefined {
  const live = liveSkipReason();
  if (live) return live;
  if (spawnSync('tmux', ['-V']).status !== 0) return 'the monitor test needs tmux';
  if (!process.env.NETML_CLI && !existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) return 'the CLI is not built: run `npm run build` first';
  const help = spawnSync(process.execPath, [CLI, 'monitor', '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (help.status !== 0 || !help.stdout.includes('monitor')) {
    return `\`netml monitor\` is not reachable from ${CLI} (its --help does not know the command): register it in src/cli/main.ts (registerMonitor) and run \`npm run build\``;
  }
  return undefined;
}
const reason = skipReason();
if (reason) console.warn(`skipping monitor live tests: ${reason}`);

// UDP at a steady rate: `rate` datagrams/s of `payload` bytes for `seconds`, in 10 ms slices
const PACED_SENDER = `
const dgram = require('node:dgram');
const [host, port, rate, payload, seconds] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const socket = dgram.createSocket('udp4');
const body = Buffer.alloc(payload, 'x');
const t0 = Date.now();
let sent = 0;
const timer = setInterval(() => {
  const elapsed = (Date.now() - t0) / 1000;
  const due = Math.min(Math.floor(elapsed * rate), Math.floor(seconds * rate));
  while (sent < due) { socket.send(body, port, host); sent++; }
  if (elapsed >= seconds) { clearInterval(timer); setTimeout(() => { socket.close(); console.log(JSON.stringify({ sent })); }, 100); }
}, 10);`;

async function sendPaced(ns: string, to: string, port: number, rate: number, payload: number, seconds: number): Promise<number> {
  const { stdout } = await execFileAsync('ip', ['netns', 'exec', ns, process.execPath, '-e', PACED_SENDER, to, String(port), String(rate), String(payload), String(seconds)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return (JSON.parse(stdout) as { sent: number }).sent;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ethernet 14 + IPv4 20 + UDP 8 */
const HEADERS = 42;

describe.skipIf(reason !== undefined)('netml monitor, live, inside a namespace of our own', () => {
  let pair: VethPair;
  let dir: string;
  const socket = `netml-mon-${randomBytes(3).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

  beforeAll(() => {
    removeStaleNamespaces();
    pair = createVethPair();
    dir = mkdtempSync(join(tmpdir(), 'netml-monitor-'));
    chmodSync(dir, 0o755);
  });

  let socketPath = '';

  afterAll(() => {
    // our own tmux server only (its own socket), then our namespaces
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    if (socketPath) rmSync(socketPath, { force: true });
    pair?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the rates and addresses of known traffic, and Ctrl+C restores the terminal and completes the log', async () => {
    const log = join(dir, 'monitor.csv');
    const monitor = ['ip', 'netns', 'exec', pair.nsA, process.execPath, CLI, 'monitor', '-i', pair.ifA, '--interval', '1', '--log', log].join(' ');
    // the shell outlives netml (its trap keeps Ctrl+C from ending it), so the terminal's state after netml is
    // there to inspect: a dead pane would always hide its cursor
    tmux('new-session', '-d', '-s', 'mon', '-x', '120', '-y', '45', `sh -c 'trap true INT; ${monitor}; echo "netml exited with $?"; sleep 60'`);
    socketPath = tmux('display', '-p', '#{socket_path}').trim();
    // wait for the first frame
    for (let i = 0; i < 50 && !tmux('capture-pane', '-p', '-t', 'mon').includes('netml monitor on'); i++) await sleep(100);
    // download: 100 datagrams/s of 1000 bytes to A (104.2 KB/s on the wire); upload: 50/s of 500 bytes from A (27.1 KB/s)
    const down = sendPaced(pair.nsB, pair.addrA, 9000, 100, 1000, 6);
    const up = sendPaced(pair.nsA, pair.addrB, 9001, 50, 500, 6);
    await sleep(4500);
    const pane = tmux('capture-pane', '-p', '-t', 'mon');
    const [downSent, upSent] = await Promise.all([down, up]);
    const figures = /upload ([\d.]+) KB\/s {2}download ([\d.]+) KB\/s/.exec(pane);
    expect(figures, pane).not.toBeNull();
    expect(Number(figures![1])).toBeGreaterThan(27.1 * 0.75);
    expect(Number(figures![1])).toBeLessThan(27.1 * 1.25);
    expect(Number(figures![2])).toBeGreaterThan(104.2 * 0.75);
    expect(Number(figures![2])).toBeLessThan(104.2 * 1.25);
    expect(pane).toContain(`on ${pair.ifA}`);
    expect(pane).toMatch(new RegExp(`│ ${pair.addrA.replace(/\./g, '\\.')} +│`)); // top destinations
    expect(pane).toMatch(new RegExp(`│ ${pair.addrB.replace(/\./g, '\\.')} +│`));
    // recent packets: the last few of either stream, by their destination port
    expect(pane).toMatch(new RegExp(`${pair.addrA.replace(/\./g, '\\.')}:9000|${pair.addrB.replace(/\./g, '\\.')}:9001`));
    expect(tmux('display', '-p', '-t', 'mon', '#{alternate_on}').trim()).toBe('1');

    await sleep(1500);
    tmux('send-keys', '-t', 'mon', 'C-c');
    for (let i = 0; i < 100 && !tmux('capture-pane', '-p', '-t', 'mon').includes('netml exited'); i++) await sleep(100);
    const after = tmux('capture-pane', '-p', '-t', 'mon');
    expect(after).toContain('netml exited with 0');
    const [alternate, cursor] = tmux('display', '-p', '-t', 'mon', '#{alternate_on} #{cursor_flag}').trim().split(' ');
    expect(alternate).toBe('0'); // back on the main screen
    expect(cursor).toBe('1'); // cursor visible again
    expect(after).toContain('stopped by Ctrl+C');
    expect(after).not.toContain('netml monitor on'); // the dashboard stayed on the alternate screen

    const lines = readFileSync(log, 'utf8').split('\n');
    expect(lines[0]).toBe(MONITOR_LOG_HEADER);
    expect(lines.at(-1)).toBe(''); // ends with a newline: no half row
    const rows = lines.slice(1, -1).map(splitCsvLine);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      expect(row).toHaveLength(MONITOR_LOG_COLUMNS.length);
      expect(row[1]).toBe('interval');
    }
    const col = (name: string) => MONITOR_LOG_COLUMNS.indexOf(name as (typeof MONITOR_LOG_COLUMNS)[number]);
    const totalPackets = Number(rows.at(-1)![col('total_packets')]);
    expect(totalPackets).toBeGreaterThanOrEqual(downSent + upSent);
    expect(rows.reduce((n, r) => n + Number(r[col('packets')]), 0)).toBe(totalPackets);
    expect(rows.reduce((n, r) => n + Number(r[col('bytes')]), 0)).toBe(Number(rows.at(-1)![col('total_bytes')]));
    const peakDownload = Math.max(...rows.map((r) => Number(r[col('download_bytes_per_s')])));
    expect(peakDownload).toBeGreaterThan(100 * (1000 + HEADERS) * 0.75);
  });

  const trainable = spawnSync(process.execPath, [join(ROOT, 'bin', 'netml.js'), 'train', '--help'], { encoding: 'utf8', timeout: 30_000 }).status === 0;

  it.skipIf(!trainable)('judges the flows with a model when not on a terminal, one line of figures per interval', async () => {
    // a model of our own, trained on the bundled sample in a scratch directory
    const work = mkdtempSync(join(dir, 'model-'));
    for (const args of [['capture', '--read', join(ROOT, 'dataset', 'sample.pcap'), '--quiet'], ['extract', '--quiet'], ['train', '--model', 'iforest', '--trees', '20']]) {
      await execFileAsync(process.execPath, [join(ROOT, 'bin', 'netml.js'), ...args], { cwd: work, timeout: 120_000 });
    }
    const log = join(work, 'monitor.csv');
    const run = execFileAsync(
      'ip',
      ['netns', 'exec', pair.nsA, process.execPath, CLI, 'monitor', '-i', pair.ifA, '--model', join(work, 'models', 'iforest.json'), '--idle-timeout', '1', '--duration', '5', '--log', log],
      { encoding: 'utf8', timeout: 60_000 },
    );
    await sleep(1000);
    await sendPaced(pair.nsB, pair.addrA, 9100, 50, 200, 1);
    const { stdout } = await run;
    const perInterval = stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d {2}upload /.test(l));
    expect(perInterval.length).toBeGreaterThanOrEqual(4);
    expect(stdout).toMatch(/flows judged +│ [1-9]\d*: \d+ SUSPICIOUS/);
    const rows = readFileSync(log, 'utf8').trimEnd().split('\n').slice(1).map(splitCsvLine);
    const judged = rows.filter((r) => r[1] === 'interval').reduce((n, r) => n + Number(r[MONITOR_LOG_COLUMNS.indexOf('flows_judged')]), 0);
    expect(judged).toBeGreaterThanOrEqual(1);
    for (const r of rows.filter((row) => row[1] === 'suspicious')) expect(r[MONITOR_LOG_COLUMNS.indexOf('src_addr')]).not.toBe('');
  });

  it('exits 77 with a hint when it may not capture', async () => {
    try {
      await execFileAsync('ip', ['netns', 'exec', pair.nsA, 'setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, 'monitor', '-i', pair.ifA, '--duration', '1'], {
        encoding: 'utf8',
        cwd: dir,
        timeout: 30_000,
      });
      expect.unreachable('monitor ran without the privilege');
    } catch (err) {
      const e = err as { code: number; stderr: string };
      expect(e.code).toBe(77);
      expect(e.stderr).toMatch(/no permission/);
      expect(e.stderr).toMatch(/hint: run with sudo/);
    }
  });
});
