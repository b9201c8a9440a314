// Runs one command under GNU time and returns wall seconds and peak RSS: the figures every benchmark row uses.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

function quote(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}
