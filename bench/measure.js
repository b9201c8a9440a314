// Runs one command under GNU time and returns wall seconds and peak RSS: the figures every benchmark row uses.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';

export const GNU_TIME = '/usr/bin/time';

export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Runs `cmd args` (stdout to `stdoutPath` or discarded); throws with stderr if it fails. */
export function measure(cmd, args, { stdoutPath, env } = {}) {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: apt-get install time`);
  const shellLine = [GNU_TIME, '-v', cmd, ...args].map(quote).join(' ') + ` > ${stdoutPath ? quote(stdoutPath) : '/dev/null'}`;
  const run = spawnSync('sh', ['-c', shellLine], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`${cmd} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(run.stderr);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return { seconds, peakRssMb: rssKb / 1024, stderr: run.stderr };
}

/**
 * `repeats` runs of one command, each measured; `outputs` are removed before each run, so every run writes a
 * fresh file as a first run does (replacing a previous 130-200 MB output cost ext4 30-100 ms inside the run).
 */
export function measureRuns(cmd, args, { repeats = 1, outputs = [], stdoutPath } = {}) {
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    for (const path of outputs) rmSync(path, { force: true });
    runs.push(measure(cmd, args, { stdoutPath }));
  }
  return runs;
}

/**
 * Reads a file through once, untimed, so the run that follows finds it in the page cache. This machine's
 * kernel drops cached pages within minutes even with 20 GB free: a 2.2 GB capture made earlier was read
 * from disk at ~550 MB/s, and the one run on it measured the disk, not the tool.
 */
export function readIntoPageCache(path) {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(16 << 20);
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function quote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}
