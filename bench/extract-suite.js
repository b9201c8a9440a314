// Extract stage benchmark: `netml extract` (capture -> features.csv, one row per flow) on a SYN flood (the
// issue's worst case: a new flow every two packets, the server answering each spoofed SYN with a SYN/ACK as
// Linux does with SYN cookies; the lab's real hping3 flood has three packets per flow), on a harsher flood
// where only 30% of the SYNs are answered (a new flow every ~1.3 packets), and on ordinary office traffic (many packets per flow, the
// same file the capture suite reads), side by side with Argus (`argus -r` + `ra`) on the same files, peak
// memory on 5x longer inputs to show it stays flat, and the other levels and formats for scale; and the
// original Python approach (bench/python_original.py: Scapy PcapReader -> packets CSV, then a pandas groupby
// into flows) on the first 100,000 packets of each file, beside netml extract on the very same prefix. Figures,
// never assertions. Wall time is the fastest of REPEATS runs (the machine is shared; the minimum is the
// least disturbed); CPU time (user + sys, all threads) is reported beside it because it does not depend on
// what else the machine runs. Each run writes a fresh file, as a first run does (the capture suite does the
// same): replacing the previous run's 130-200 MB features.csv cost ext4 here 30-100 ms inside the run that
// replaced it. Standalone: `npm run build && node bench/extract-suite.js [--quick]`.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasCommand, measure, measureRuns, readIntoPageCache } from './measure.js';
import { ensurePythonOriginal, prefixCapture, PYTHON, pythonCaptureArgs, pythonExtractArgs, pythonReport } from './python-original.js';

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

/** user + sys seconds of all threads, from GNU time's report */
function cpuSeconds(stderr) {
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1]);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1]);
  return user + sys;
}

/**
 * The fastest of `repeats` runs, with its CPU time; peak RSS is the largest of all runs. stdout goes to
 * `stdoutPath` (else nowhere); `outputs` are removed before each run.
 */
function best(cmd, args, repeats = REPEATS, stdoutPath = undefined, outputs = []) {
  let fastest;
  let peak = 0;
  const cpus = [];
  for (const m of measureRuns(cmd, args, { repeats, outputs, stdoutPath })) {
    const cpu = cpuSeconds(m.stderr);
    cpus.push(cpu);
    peak = Math.max(peak, m.peakRssMb);
    if (!fastest || m.seconds < fastest.seconds) fastest = { seconds: m.seconds, cpuSeconds: cpu };
  }
  cpus.sort((a, b) => a - b);
  return { ...fastest, minCpuSeconds: cpus[0], peakRssMb: peak, loadAverage: loadavg()[0] };
}

function row(name, capture, m) {
  return {
    name,
    packets: capture.packets,
    seconds: m.seconds,
    packetsPerSecond: capture.packets / m.seconds,
    peakRssMb: m.peakRssMb,
    cpuSeconds: m.cpuSeconds,
    packetsPerCpuSecond: capture.packets / m.minCpuSeconds,
  };
}

function netml(dataDir, capture, extra = [], repeats = REPEATS) {
  const out = join(dataDir, `${capture.name}.${extra.join('').replace(/[^a-z0-9]+/gi, '-') || 'flow'}.csv`);
  readIntoPageCache(capture.path);
  return best('node', [NETML, 'extract', '--input', capture.path, '--output', out, '--quiet', ...extra], repeats, undefined, [out]);
}

/**
 * argus reads the capture into flow records, ra prints them: the two steps together are the comparison. One
 * run each (as tshark in the capture suite): on the flood they take over a minute, 50x netml, so the best of
 * three would add four minutes to a suite that must stay within the 20-minute budget and change no ratio.
 */
function argus(dataDir, capture) {
  const records = join(dataDir, `${capture.name}.argus`);
  // argus -w appends to an existing file: records of earlier runs made ra read (and argus write) ever more
  rmSync(records, { force: true });
  readIntoPageCache(capture.path);
  const a = best('argus', ['-r', capture.path, '-w', records], 1);
  const r = best('ra', ['-n', '-r', records, '-s', 'stime', 'saddr', 'sport', 'daddr', 'dport', 'proto', 'pkts', 'bytes', 'state'], 1);
  return { seconds: a.seconds + r.seconds, cpuSeconds: a.cpuSeconds + r.cpuSeconds, minCpuSeconds: a.minCpuSeconds + r.minCpuSeconds, peakRssMb: Math.max(a.peakRssMb, r.peakRssMb) };
}

/**
 * The original Python approach on `prefix`: the Scapy capture stage (one run: it takes 10-20 s, and the
 * machine's other work only slows it) writes the packets CSV that the pandas extract stage (best of `repeats`)
 * groups into flows. Returns the pipeline (pcap -> flows, what netml extract does in one step) and the stage.
 */
function pythonOriginal(dataDir, prefix, repeats) {
  const captureJson = join(dataDir, `${prefix.name}.scapy-capture.json`);
  const m = measure(PYTHON, pythonCaptureArgs(dataDir, prefix), { stdoutPath: captureJson });
  const cpu = cpuSeconds(m.stderr);
  const scapy = { seconds: m.seconds, cpuSeconds: cpu, minCpuSeconds: cpu, peakRssMb: m.peakRssMb };
  const extractJson = join(dataDir, `${prefix.name}.pandas-extract.json`);
  const stage = best(PYTHON, pythonExtractArgs(dataDir, prefix), repeats, extractJson);
  return {
    pipeline: {
      seconds: scapy.seconds + stage.seconds,
      cpuSeconds: scapy.cpuSeconds + stage.cpuSeconds,
      minCpuSeconds: scapy.minCpuSeconds + stage.minCpuSeconds,
      peakRssMb: Math.max(scapy.peakRssMb, stage.peakRssMb),
    },
    stage,
    capture: pythonReport(captureJson),
    extract: pythonReport(extractJson),
  };
}

const FLOOD_ARGS = ['--clients', '10', '--sessions', '0.3', '--seed', '11', '--attacks', '--flood', '500000', '--flood-answered', '1'];
const UNANSWERED_FLOOD_ARGS = ['--clients', '10', '--sessions', '0.3', '--seed', '11', '--attacks', '--flood', '760000'];
// the capture suite's office traffic (bench/run.js makes office-1x with the same arguments)
const OFFICE_ARGS = ['--clients', '200', '--sessions', '0.5', '--max-response', '12000', '--seed', '11'];

/**
 * @param {{ dataDir: string, quick?: boolean }} options quick: no 5x office file (2.2 GB) and one run of
 *        the other levels instead of three
 */
export async function extractSuite({ dataDir, quick = false }) {
  mkdirSync(dataDir, { recursive: true });
  const flood = makeCapture(dataDir, 'syn-flood-answered-1x', ['--rounds', '20', ...FLOOD_ARGS]);
  const flood5 = makeCapture(dataDir, 'syn-flood-answered-5x', ['--rounds', '100', ...FLOOD_ARGS]);
  const harshFlood = makeCapture(dataDir, 'syn-flood-1x', ['--rounds', '20', ...UNANSWERED_FLOOD_ARGS]);
  const office = makeCapture(dataDir, 'office-1x', ['--rounds', '560', ...OFFICE_ARGS]);
  const office5 = quick ? null : makeCapture(dataDir, 'office-5x', ['--rounds', '2800', ...OFFICE_ARGS]);
  const haveArgus = hasCommand('argus') && hasCommand('ra');
  const rows = [];
  const fmt = (n) => n.toLocaleString('en-US');

  const floodRun = netml(dataDir, flood);
  rows.push(row(`netml extract, SYN flood (${flood.name})`, flood, floodRun));
  rows.push(row(`netml extract --no-writer-thread, SYN flood`, flood, netml(dataDir, flood, ['--no-writer-thread'])));
  const harshFloodRun = netml(dataDir, harshFlood);
  rows.push(row(`netml extract, SYN flood with 30% of SYNs answered (${harshFlood.name}, a new flow every 1.3 packets)`, harshFlood, harshFloodRun));
  const flood5Run = netml(dataDir, flood5, [], 1);
  rows.push(row(`netml extract, SYN flood 5x (${flood5.name}, ${fmt(flood5.packets)} packets)`, flood5, flood5Run));
  const officeRun = netml(dataDir, office);
  rows.push(row(`netml extract, office traffic (${office.name})`, office, officeRun));
  let office5Run = null;
  if (office5) {
    office5Run = netml(dataDir, office5, [], 1);
    rows.push(row(`netml extract, office traffic 5x (${office5.name}, ${fmt(office5.packets)} packets)`, office5, office5Run));
  } else {
    rows.push({ name: 'netml extract, office traffic 5x', skipped: '--quick (the 5x office capture is 2.2 GB)' });
  }
  const levelRepeats = quick ? 1 : REPEATS;
  for (const [label, extra] of [
    ['--level host', ['--level', 'host']],
    ['--level packet', ['--level', 'packet']],
    ['--format cic', ['--format', 'cic']],
  ]) {
    rows.push(row(`netml extract ${label}, SYN flood`, flood, netml(dataDir, flood, extra, levelRepeats)));
    rows.push(row(`netml extract ${label}, office traffic`, office, netml(dataDir, office, extra, levelRepeats)));
  }
  let argusFlood = null;
  let argusHarshFlood = null;
  let argusOffice = null;
  if (haveArgus) {
    argusFlood = argus(dataDir, flood);
    rows.push(row(`argus -r + ra, SYN flood`, flood, argusFlood));
    argusHarshFlood = argus(dataDir, harshFlood);
    rows.push(row(`argus -r + ra, SYN flood with 30% of SYNs answered`, harshFlood, argusHarshFlood));
    argusOffice = argus(dataDir, office);
    rows.push(row(`argus -r + ra, office traffic`, office, argusOffice));
  } else {
    rows.push({ name: 'argus -r + ra', skipped: 'argus is not installed (apt-get install argus-server argus-client)' });
  }

  // the original Python approach on each file's first 100,000 packets, and netml extract on the same prefix
  const python = ensurePythonOriginal();
  const prefixRuns = {};
  for (const [key, capture, label] of [['flood', flood, 'SYN flood'], ['office', office, 'office traffic']]) {
    const prefix = prefixCapture(dataDir, capture);
    const first = `first ${fmt(prefix.packets)} packets`;
    const netmlPrefix = netml(dataDir, prefix, [], levelRepeats);
    rows.push(row(`netml extract, ${label}, ${first} (${prefix.name})`, prefix, netmlPrefix));
    let py = null;
    if (python.ok) {
      py = pythonOriginal(dataDir, prefix, levelRepeats);
      const versions = `Scapy ${py.capture.scapy} + pandas ${py.extract.pandas}`;
      rows.push(row(`original Python: ${versions}, pcap -> packets CSV -> flows (${fmt(py.extract.flows)}), ${label}, ${first}`, prefix, py.pipeline));
      rows.push(row(`original Python: pandas ${py.extract.pandas} groupby, packets CSV -> flows only, ${label}, ${first}`, prefix, py.stage));
    } else {
      rows.push({ name: `original Python: Scapy + pandas, pcap -> packets CSV -> flows, ${label}, ${first}`, skipped: python.reason });
    }
    prefixRuns[key] = { prefix, netml: netmlPrefix, python: py };
  }
  // Python's seconds over netml's on the identical prefix; and netml's packets/s on the whole file over Python's on the prefix
  const overPython = (key, what) => {
    const { netml: n, python: py } = prefixRuns[key];
    return py ? py[what].seconds / n.seconds : null;
  };
  const fullOverPython = (key, fullRun, full) => {
    const { prefix, python: py } = prefixRuns[key];
    return py ? full.packets / fullRun.seconds / (prefix.packets / py.pipeline.seconds) : null;
  };

  const floodPps = flood.packets / floodRun.seconds;
  const officePps = office.packets / officeRun.seconds;
  const within10 = (five, one) => (five === null ? 'skipped' : five.peakRssMb <= one.peakRssMb * 1.1);
  return {
    suite: 'extract',
    input: { path: flood.path, packets: flood.packets, bytes: flood.bytes },
    inputs: [flood, flood5, harshFlood, office, office5].filter(Boolean).map((c) => ({ path: c.path, packets: c.packets, bytes: c.bytes })),
    rows,
    ratios: {
      floodNetmlOverArgus: argusFlood ? argusFlood.seconds / floodRun.seconds : null,
      harshFloodNetmlOverArgus: argusHarshFlood ? argusHarshFlood.seconds / harshFloodRun.seconds : null,
      officeNetmlOverArgus: argusOffice ? argusOffice.seconds / officeRun.seconds : null,
      floodNetmlOverArgusCpu: argusFlood ? argusFlood.minCpuSeconds / floodRun.minCpuSeconds : null,
      floodMemoryGrowth5x: flood5Run.peakRssMb / floodRun.peakRssMb,
      officeMemoryGrowth5x: office5Run ? office5Run.peakRssMb / officeRun.peakRssMb : null,
      floodNetmlOverPythonOriginal: overPython('flood', 'pipeline'),
      officeNetmlOverPythonOriginal: overPython('office', 'pipeline'),
      floodNetmlOverPandasStage: overPython('flood', 'stage'),
      officeNetmlOverPandasStage: overPython('office', 'stage'),
      floodNetmlFullFileOverPythonOriginal: fullOverPython('flood', floodRun, flood),
      officeNetmlFullFileOverPythonOriginal: fullOverPython('office', officeRun, office),
      loadAverageAtEnd: loadavg()[0],
    },
    pythonOriginal: python.ok
      ? Object.fromEntries(Object.entries(prefixRuns).map(([k, r]) => [k, { prefix: { path: r.prefix.path, packets: r.prefix.packets, bytes: r.prefix.bytes }, capture: r.python.capture, extract: r.python.extract }]))
      : { skipped: python.reason },
    targets: {
      'SYN flood packets/s >= 1,000,000': floodPps >= 1e6,
      'SYN flood >= 5x Argus': argusFlood ? argusFlood.seconds / floodRun.seconds >= 5 : 'skipped',
      // the issue fixes the flood's size (about 1M packets) but not the office capture's: both sizes are shown
      'office traffic packets/s >= 2,000,000, on 1M packets (office-1x)': officePps >= 2e6,
      'office traffic packets/s >= 2,000,000, on 5M packets (office-5x)': office5Run ? office5.packets / office5Run.seconds >= 2e6 : 'skipped (--quick)',
      'peak RSS < 256 MB (every netml extract run above)': rows.filter((r) => r.name.startsWith('netml extract') && r.peakRssMb !== undefined).every((r) => r.peakRssMb < 256),
      'SYN flood RSS within 10% at 5x': within10(flood5Run, floodRun),
      'office RSS within 10% at 5x': within10(office5Run, officeRun),
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const s = await extractSuite({ dataDir: 'bench/data', quick: process.argv.includes('--quick') });
  const lines = [`## ${s.suite}: ${s.inputs.map((i) => `${i.path} (${i.packets.toLocaleString('en-US')} packets, ${(i.bytes / 1e6).toFixed(0)} MB)`).join(', ')}`, ''];
  lines.push('| tool | seconds (best) | packets/s | CPU s (user+sys) | packets per CPU s | peak RSS (MB) |', '|---|---:|---:|---:|---:|---:|');
  for (const r of s.rows) {
    if (r.skipped) lines.push(`| ${r.name} | skipped: ${r.skipped} | | | | |`);
    else {
      lines.push(
        `| ${r.name} | ${r.seconds.toFixed(2)} | ${Math.round(r.packetsPerSecond).toLocaleString('en-US')} | ${r.cpuSeconds.toFixed(2)} | ${Math.round(r.packetsPerCpuSecond).toLocaleString('en-US')} | ${r.peakRssMb.toFixed(0)} |`,
      );
    }
  }
  lines.push('');
  for (const [k, v] of Object.entries(s.ratios)) lines.push(`- ${k}: ${v === null ? 'n/a' : v.toFixed(2)}`);
  for (const [k, v] of Object.entries(s.targets)) lines.push(`- target ${k}: ${v === true ? 'met' : v === false ? 'NOT met' : v}`);
  process.stdout.write(lines.join('\n') + '\n');
}
