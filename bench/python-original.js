// The original Python approach (Scapy + pandas + scikit-learn, Debian's python3-scapy, python3-pandas and
// python3-sklearn) as a peer of the capture and extract suites: bench/python_original.py run by Debian's
// python3. Scapy decodes some 10-30 thousand packets/s, so it reads a prefix of the suite's capture (the first
// PYTHON_PREFIX_PACKETS packets, cut by netml's own reader and writer: the same bytes as the file's start), and
// netml gets a row on that very prefix too, so each ratio compares identical input.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3'; // Debian's, where the python3-* packages install
export const PYTHON_ORIGINAL = 'bench/python_original.py';
export const PYTHON_PREFIX_PACKETS = 100_000;
const PACKAGES = ['python3-scapy', 'python3-pandas', 'python3-sklearn'];

let ensured = null;

/** Scapy, pandas and scikit-learn importable by Debian's python3, installing the three packages once when we are root. */
export function ensurePythonOriginal() {
  if (ensured) return ensured;
  const probe = () => spawnSync(PYTHON, ['-c', 'import scapy.all, pandas, sklearn'], { stdio: 'ignore' }).status === 0;
  const apt = `apt-get install -y ${PACKAGES.join(' ')}`;
  if (!existsSync(PYTHON)) ensured = { ok: false, reason: `${PYTHON} is missing (${apt})` };
  else if (probe()) ensured = { ok: true };
  else if (process.getuid?.() !== 0) ensured = { ok: false, reason: `Scapy/pandas/scikit-learn are not installed and installing them needs root: sudo ${apt}` };
  else {
    process.stderr.write(`installing ${PACKAGES.join(', ')} for the original Python approach ...\n`);
    const install = spawnSync('sh', ['-c', `${apt} || (apt-get update && ${apt})`], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      encoding: 'utf8',
    });
    if (install.status !== 0 || !probe()) ensured = { ok: false, reason: `${apt} failed: ${(install.stderr || '').trim().split('\n').pop()}` };
    else ensured = { ok: true };
  }
  return ensured;
}

/**
 * The first `packets` packets of `capture` as `<name>-first<packets>.pcap` (made once, then reused until the
 * capture is made again), cut by
 * `netml capture --read -c`, whose writer keeps the input's format: the file's first bytes, unchanged.
 */
export function prefixCapture(dataDir, capture, packets = PYTHON_PREFIX_PACKETS) {
  const name = `${capture.name ?? capture.path.replace(/^.*\/|\.pcap$/g, '')}-first${packets}`;
  const path = join(dataDir, `${name}.pcap`);
  const countPath = `${path}.packets`;
  if (!existsSync(path) || !existsSync(countPath) || statSync(countPath).mtimeMs < statSync(capture.path).mtimeMs) {
    const run = spawnSync('node', ['bin/netml.js', 'capture', '--read', capture.path, '-c', String(packets), '-w', path, '-o', '/dev/null', '--json', '--quiet'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`cutting ${path} failed: ${run.stderr}`);
    writeFileSync(countPath, String(JSON.parse(run.stdout).packets));
  }
  return { name, path, packets: Number(readFileSync(countPath, 'utf8')), bytes: statSync(path).size };
}

/** `python_original.py capture`: the prefix pcap -> its packets CSV (Scapy PcapReader + pandas) */
export function pythonCaptureArgs(dataDir, prefix) {
  return [PYTHON_ORIGINAL, 'capture', '--pcap', prefix.path, '--out', join(dataDir, `${prefix.name}.scapy-packets.csv`)];
}

/** `python_original.py extract`: that packets CSV -> flows CSV (pandas groupby); run pythonCaptureArgs first */
export function pythonExtractArgs(dataDir, prefix) {
  return [PYTHON_ORIGINAL, 'extract', '--packets', join(dataDir, `${prefix.name}.scapy-packets.csv`), '--out', join(dataDir, `${prefix.name}.pandas-flows.csv`)];
}

/** What the script printed (versions, counts, inner timings), from the file the suite sent its stdout to. */
export function pythonReport(stdoutPath) {
  return JSON.parse(readFileSync(stdoutPath, 'utf8'));
}
