// Extract stage benchmark: `netml extract` (capture -> features.csv, one row per flow) on a SYN flood (the
// worst case: a new flow every ~1.3 packets) and on ordinary office traffic (many packets per flow), side by
// side with Argus (`argus -r` + `ra`) on the same files, and peak memory on 5x longer inputs to show it
// stays flat. Figures, never assertions. Standalone: `npm run build && node bench/extract-suite.js [--quick]`.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasCommand, measure } from './measure.js';

const NETML = 'bin/netml.js';
const REPEATS = 3;

/** A seeded synthetic capture (made once, then reused), with its packet count. */
export function makeCapture(dataDir, name, args) {
  const path = join(dataDir, `${name}.pcap`);
  const countPath = `${path}.packets`;
  if (!existsSync(path) || !existsSync(countPath)) {
    process.stderr.write(`making ${path} ...\n`);
    const run = spawnSync('node', ['dist/tools/make-capture.js', path, ...args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    writeFileSync(countPath, /wrote (\d+) packets/.exec(run.stderr)[1]);
  }
  return { name, path, packets: Number(readFileSync(countPath, 'utf8')), bytes: statSync(path).size };
}

/** The fastest of `REPEATS` runs (the machine is shared; the minimum is the least disturbed). */
function best(cmd, args, options) {
  let fastest;
  for (let i = 0; i < REPEATS; i++) {
    const m = measure(cmd, args, options);
    if (!fastest || m.seconds < fastest.seconds) fastest = { ...m, peakRssMb: Math.max(m.peakRssMb, fastest?.peakRssMb ?? 0) };
    else fastest.peakRssMb = Math.max(fastest.peakRssMb, m.peakRssMb);
  }
  return fastest;
}

function row(name, capture, m) {
  return { name, packets: capture.packets, seconds: m.seconds, packetsPerSecond: capture.packets / m.seconds, peakRssMb: m.peakRssMb };
}

function netml(dataDir, capture, extra = []) {
  return best('node', [NETML, 'extract', '--input', capture.path, '--output', join(dataDir, `${capture.name}.features.csv`), '--quiet', ...extra]);
}

/** argus reads the capture into flow records, ra prints them: the two steps together are the comparison. */
function argus(dataDir, capture) {
  const records = join(dataDir, `${capture.name}.argus`);
  const a = best('argus', ['-r', capture.path, '-w', records]);
  const r = best('ra', ['-n', '-r', records, '-s', 'stime', 'saddr', 'sport', 'daddr', 'dport', 'proto', 'pkts', 'bytes', 'state']);
  return { seconds: a.seconds + r.seconds, peakRssMb: Math.max(a.peakRssMb, r.peakRssMb) };
}

export async function extractSuite({ dataDir, quick = false }) {
  mkdirSync(dataDir, { recursive: true });
  const flood = makeCapture(dataDir, 'syn-flood-1x', ['--rounds', '20', '--clients', '10', '--sessions', '0.3', '--seed', '11', '--attacks', '--flood', '760000']);
  const flood5 = makeCapture(dataDir, 'syn-flood-5x', ['--rounds', '100', '--clients', '10', '--sessions', '0.3', '--seed', '11', '--attacks', '--flood', '760000']);
  const office = makeCapture(dataDir, 'office-1m', ['--rounds', '240', '--clients', '200', '--sessions', '0.5', '--seed', '11']);
  const office5 = quick ? null : makeCapture(dataDir, 'office-5m', ['--rounds', '1200', '--clients', '200', '--sessions', '0.5', '--seed', '11']);
  const haveArgus = hasCommand('argus') && hasCommand('ra');
  const suites = [];
  for (const [main, longer, packetTarget] of [
    [flood, flood5, 1e6],
    [office, office5, 2e6],
  ]) {
    const rows = [];
    const one = netml(dataDir, main);
    rows.push(row(`netml extract (${main.name})`, main, one));
    const single = netml(dataDir, main, ['--no-writer-thread']);
    rows.push(row(`netml extract --no-writer-thread (${main.name})`, main, single));
    let five = null;
    if (longer) {
      five = netml(dataDir, longer);
      rows.push(row(`netml extract, 5x input (${longer.name}, ${longer.packets.toLocaleString('en-US')} packets)`, longer, five));
    }
    let ar = null;
    if (haveArgus) {
      ar = argus(dataDir, main);
      rows.push(row(`argus -r + ra (${main.name})`, main, ar));
    } else {
      rows.push({ name: 'argus -r + ra', skipped: 'argus is not installed (apt-get install argus-server argus-client)' });
    }
    const pps = main.packets / one.seconds;
    suites.push({
      suite: `extract-${main.name}`,
      input: { path: main.path, packets: main.packets, bytes: main.bytes },
      rows,
      ratios: { netmlOverArgus: ar ? ar.seconds / one.seconds : null, memoryGrowth5x: five ? five.peakRssMb / one.peakRssMb : null },
      targets: {
        [`packets/s >= ${packetTarget.toLocaleString('en-US')}`]: pps >= packetTarget,
        ...(packetTarget === 1e6 ? { '>= 5x Argus': ar ? ar.seconds / one.seconds >= 5 : 'skipped' } : {}),
        'peak RSS < 256 MB': one.peakRssMb < 256 && (five === null || five.peakRssMb < 256),
        'RSS within 10% at 5x': five === null ? 'skipped' : five.peakRssMb <= one.peakRssMb * 1.1,
      },
    });
  }
  return suites;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const suites = await extractSuite({ dataDir: 'bench/data', quick: process.argv.includes('--quick') });
  const lines = [];
  for (const s of suites) {
    lines.push(`## ${s.suite}: ${s.input.packets.toLocaleString('en-US')} packets, ${(s.input.bytes / 1e6).toFixed(0)} MB`, '');
    lines.push('| tool | seconds | packets/s | peak RSS (MB) |', '|---|---:|---:|---:|');
    for (const r of s.rows) {
      if (r.skipped) lines.push(`| ${r.name} | skipped: ${r.skipped} | | |`);
      else lines.push(`| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(r.packetsPerSecond).toLocaleString('en-US')} | ${r.peakRssMb.toFixed(0)} |`);
    }
    lines.push('');
    for (const [k, v] of Object.entries(s.ratios)) lines.push(`- ${k}: ${v === null ? 'n/a' : v.toFixed(2)}`);
    for (const [k, v] of Object.entries(s.targets)) lines.push(`- target ${k}: ${v === true ? 'met' : v === false ? 'NOT met' : v}`);
    lines.push('');
  }
  process.stdout.write(lines.join('\n') + '\n');
}
